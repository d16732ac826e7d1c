use crate::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a migration file whose content changed after it was applied: compared with
    /// the statements or checksum the database's history stores (`status`), or with the base
    /// branch (`--base`). Against the base branch, a change of whitespace or comments only is
    /// a warning; any other change (compared token by token, so function bodies count in
    /// full) is an error.
    ///
    /// ## Why is this bad?
    /// Databases that already applied the migration never run the change, while new
    /// environments do: production and fresh environments drift apart silently. Tools that
    /// store a checksum (Flyway, Prisma) refuse to run at all once an applied file changes,
    /// even for a comment.
    ///
    /// ## Example
    /// ```sql
    /// -- 20240101120000_create_profiles.sql, already applied, edited in place:
    /// create table profiles (id uuid primary key, bio text);
    /// ```
    ///
    /// Use instead: restore the applied file and add a new migration.
    /// ```sql
    /// -- 20240420100000_add_profile_bio.sql
    /// alter table profiles add column bio text;
    /// ```
    ///
    /// ## How to fix
    /// Restore the applied content (`git checkout <base> -- <file>`) and put the change in a
    /// new migration.
    ///
    /// ## How to suppress
    /// If the edit is intentional (for example a fix for fresh environments only),
    /// `[[ignore]]` the rule for that file in `schemagate.toml`.
    pub struct EditedAppliedMigration {
        id: "edited-applied-migration",
        severity: Error,
        category: Conflict,
        summary: "A migration was edited after it was applied",
    }
}
