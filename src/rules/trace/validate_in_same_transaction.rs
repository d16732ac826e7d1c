use crate::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports `VALIDATE CONSTRAINT` of a constraint added `NOT VALID` earlier in the same
    /// transaction, on a table that existed before the branch's migrations (seen in the
    /// lock and rewrite trace of `check --base`, docs/trace.md).
    ///
    /// ## Why is this bad?
    /// `NOT VALID` exists so that adding the constraint takes its lock only for an instant
    /// and the scan happens later under a weaker lock. Validating in the same transaction
    /// scans the table while the strong lock the `ADD CONSTRAINT` took is still held: the
    /// same outage as adding the constraint valid.
    ///
    /// ## Example
    /// ```sql
    /// alter table public.orders add constraint orders_total_positive check (total > 0) not valid;
    /// alter table public.orders validate constraint orders_total_positive;
    /// ```
    ///
    /// ## Use instead
    /// Validate in a later migration (another transaction).
    ///
    /// ## How to suppress
    /// `-- schemagate-ignore validate-in-same-transaction: <reason>` before the
    /// `VALIDATE CONSTRAINT` statement.
    pub struct ValidateInSameTransaction {
        id: "validate-in-same-transaction",
        severity: Warning,
        category: Safety,
        summary: "A NOT VALID constraint is validated in the same transaction",
    }
}
