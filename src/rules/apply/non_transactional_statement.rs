use crate::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a statement that PostgreSQL refuses inside a transaction block (`CREATE INDEX
    /// CONCURRENTLY`, `DROP INDEX CONCURRENTLY`, `VACUUM`, `ALTER SYSTEM`, `CREATE
    /// DATABASE`…) in a file that otherwise runs in one transaction. schemagate applies it on
    /// its own, between two transactions.
    ///
    /// ## Why is this bad?
    /// If a later statement of the same file fails, the file's transaction rolls back but
    /// this statement stays: the database is left half-migrated, and re-running the file
    /// fails on what the statement already did.
    ///
    /// ## Example
    /// ```sql
    /// create table t (a int);
    /// create index concurrently t_a on t (a);
    /// ```
    ///
    /// ## Use instead
    /// Put the statement in a migration file of its own (and make it idempotent with
    /// `if not exists`).
    ///
    /// ## How to suppress
    /// `-- schemagate-ignore non-transactional-statement: reason` on the line before it.
    pub struct NonTransactionalStatement {
        id: "non-transactional-statement",
        severity: Info,
        category: Apply,
        summary: "A statement that cannot run in a transaction shares a file with others",
    }
}
