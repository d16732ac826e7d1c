use crate::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a statement that ran into `--lock-timeout` (default 10 s) or
    /// `--statement-timeout` (default 60 s) while the migrations were applied to a fresh
    /// database, and was cancelled. The run stops there, as with `apply-failed`.
    ///
    /// ## Why is this bad?
    /// On an empty database nothing should take that long: a statement that does is
    /// waiting on a lock, sleeping, or doing work that will take far longer on production
    /// data, holding locks all the while.
    ///
    /// ## Example
    /// ```sql
    /// select pg_sleep(600);
    /// ```
    ///
    /// ## Use instead
    /// Remove the wait; move slow backfills out of the migration (batches, a background job).
    /// If the wait is intended, raise the limits with `--statement-timeout` / `--lock-timeout`.
    ///
    /// ## How to suppress
    /// Raise the timeout for the run; the finding cannot be suppressed by a comment.
    pub struct ApplyTimeout {
        id: "apply-timeout",
        severity: Error,
        category: Apply,
        summary: "A migration statement exceeded the lock or statement timeout",
    }
}
