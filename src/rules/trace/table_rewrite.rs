use crate::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a statement that rewrote a table, index or materialized view that existed
    /// before the branch's migrations: PostgreSQL gave it new storage (its `relfilenode`
    /// changed) while `check --base` applied the branch onto the base's schema (the lock
    /// and rewrite trace, docs/trace.md). An error on a table, a warning on an index or a
    /// materialized view. Names the relation, the statement and the lock taken.
    ///
    /// ## Why is this bad?
    /// A rewrite copies every row (and rebuilds every index) under an ACCESS EXCLUSIVE
    /// lock: reads and writes of the table wait until the transaction commits, for as long
    /// as copying the table takes in production, which grows with its size.
    ///
    /// ## Example
    /// ```sql
    /// alter table public.orders alter column id type bigint;
    /// ```
    ///
    /// ## Use instead
    /// Add a column of the new type, fill it in batches (a trigger keeps it current), then
    /// switch to it in a short transaction. Changes PostgreSQL makes without a rewrite
    /// (widening a `varchar`, `varchar` to `text`) are not reported.
    ///
    /// ## How to suppress
    /// `-- schemagate-ignore table-rewrite: <reason>` before the statement, e.g. for a
    /// table known to be small.
    pub struct TableRewrite {
        id: "table-rewrite",
        severity: Error,
        category: Safety,
        summary: "A statement rewrote an existing table or index (traced on PostgreSQL)",
    }
}
