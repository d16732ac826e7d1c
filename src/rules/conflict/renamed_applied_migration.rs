use crate::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a migration on the base branch that this branch renamed: the old file is
    /// gone and a new file has the same SQL (ignoring whitespace and comments).
    ///
    /// ## Why is this bad?
    /// The migration history records the old version and name. With a new version, every
    /// database that applied it runs it again as a new migration (and fails on `create
    /// table` of an existing table, or worse, succeeds twice); tools that record the name
    /// or a checksum (Flyway, Prisma) refuse the folder even when only the name changed.
    ///
    /// ## Example
    /// ```text
    /// base:   20240101120000_profiles.sql
    /// branch: 20240420100000_create_profiles.sql   (same SQL)
    /// ```
    ///
    /// Use instead: keep the applied name; put new changes in a new migration.
    ///
    /// ## How to suppress
    /// Rename the file back. When a rename is intended and the history is fixed by hand
    /// (`supabase migration repair`), `[[ignore]]` the rule for that file in `schemagate.toml`.
    pub struct RenamedAppliedMigration {
        id: "renamed-applied-migration",
        severity: Error,
        category: Conflict,
        summary: "A migration already on the base branch was renamed",
    }
}
