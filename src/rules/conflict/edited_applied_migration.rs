use crate::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a migration that exists on the base branch and whose content this branch
    /// changed. A change of whitespace or comments only is a warning; any other change
    /// (compared token by token, so function bodies count in full) is an error.
    ///
    /// ## Why is this bad?
    /// Databases deployed from the base branch have already run the old content and record
    /// it as applied: they will never run the change, while new environments will. The
    /// schemas drift apart silently. Tools that store a checksum (Flyway, Prisma) refuse to
    /// run at all once an applied file changes, even for a comment.
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
    /// ## How to suppress
    /// `git checkout <base> -- <file>` restores the applied version. If the edit is
    /// intentional (for example a fix for fresh environments only), `[[ignore]]` the rule
    /// for that file in `schemagate.toml`.
    pub struct EditedAppliedMigration {
        id: "edited-applied-migration",
        severity: Error,
        category: Conflict,
        summary: "A migration already on the base branch was edited",
    }
}
