use crate::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a `.sql` file in a migrations folder whose name does not match what the tool
    /// expects (Supabase: `^([0-9]+)_(.*)\.sql$`).
    ///
    /// ## Why is this bad?
    /// The Supabase CLI skips such files without a word: the SQL in them never runs, and the
    /// next migration that depends on it fails in production.
    ///
    /// ## Example
    /// ```text
    /// supabase/migrations/005b_create_sneakers.sql
    /// supabase/migrations/seed.sql
    /// ```
    ///
    /// Use instead:
    /// ```text
    /// supabase/migrations/00006_create_sneakers.sql
    /// supabase/seed.sql
    /// ```
    pub struct InvalidMigrationName {
        id: "invalid-migration-name",
        severity: Warning,
        category: Conflict,
        summary: "A .sql file in the migrations folder that the migration tool skips",
    }
}
