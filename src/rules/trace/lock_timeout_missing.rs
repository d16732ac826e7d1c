use crate::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a statement that took a lock blocking reads or writes of an existing table
    /// with no `lock_timeout` in effect, as seen in the lock and rewrite trace of
    /// `check --base` (docs/trace.md). Quiet when the file sets one before (`set
    /// lock_timeout`, `set local lock_timeout`), or the role or database it runs as has
    /// one configured (`alter role … set lock_timeout`); schemagate's own session setting
    /// does not count. Once per file: on the first such statement, naming the later ones,
    /// since one `lock_timeout` at the top of the file covers them all.
    ///
    /// ## Why is this bad?
    /// A lock request waits behind every transaction already using the table, and while it
    /// waits every later query on the table queues behind it: one long-running query in
    /// production turns a millisecond `ALTER TABLE` into an outage.
    ///
    /// ## Example
    /// ```sql
    /// alter table public.orders add column note text;
    /// ```
    ///
    /// ## Use instead
    /// ```sql
    /// set lock_timeout = '5s';
    /// alter table public.orders add column note text;
    /// ```
    /// and retry the migration when it times out.
    ///
    /// ## How to suppress
    /// `-- schemagate-ignore lock-timeout-missing: <reason>` before the statement.
    pub struct LockTimeoutMissing {
        id: "lock-timeout-missing",
        severity: Warning,
        category: Safety,
        summary: "A blocking lock on an existing table is taken without a lock_timeout",
    }
}
