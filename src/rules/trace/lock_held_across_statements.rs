use crate::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a lock that blocks reads or writes of an existing table (ACCESS EXCLUSIVE,
    /// EXCLUSIVE, SHARE ROW EXCLUSIVE, SHARE) that is still held while later, slow
    /// statements of the same transaction run: a backfill (`UPDATE`, `DELETE`,
    /// `INSERT … SELECT`, `MERGE`, a `DO` block), a rewrite or a constraint validation.
    /// Seen in the lock and rewrite trace of `check --base` (docs/trace.md); names the
    /// lock, the table and the statements that ran under it.
    ///
    /// ## Why is this bad?
    /// PostgreSQL releases locks at commit, not when the statement that took them ends: a
    /// quick `ALTER TABLE` followed by a backfill keeps the table blocked for the whole
    /// backfill, which takes as long as the table is large.
    ///
    /// ## Example
    /// ```sql
    /// alter table public.orders add column status text;
    /// update public.orders set status = 'open';
    /// ```
    ///
    /// ## Use instead
    /// Commit the schema change on its own (a migration of its own), then backfill in
    /// batches in later transactions.
    ///
    /// ## How to suppress
    /// `-- schemagate-ignore lock-held-across-statements: <reason>` before the statement
    /// that takes the lock.
    pub struct LockHeldAcrossStatements {
        id: "lock-held-across-statements",
        severity: Warning,
        category: Safety,
        summary: "A blocking lock on an existing table is held while later slow statements run",
    }
}
