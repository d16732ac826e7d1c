use crate::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a migration that exists on the base branch and that this branch deleted.
    ///
    /// ## Why is this bad?
    /// Deleting the file does not undo what it did: databases deployed from the base branch
    /// keep its objects, new environments no longer get them, and migration tools report the
    /// applied version as missing locally (`supabase db push` stops, Flyway's validate fails).
    ///
    /// ## Example
    /// ```text
    /// base:   20240101120000_create_profiles.sql
    /// branch: (file deleted)
    /// ```
    ///
    /// Use instead: keep the file, and reverse its effect in a new migration.
    /// ```sql
    /// -- 20240420100000_drop_profiles.sql
    /// drop table profiles;
    /// ```
    ///
    /// ## How to suppress
    /// `git checkout <base> -- <file>` restores it. When a squash of old migrations is
    /// intended, `[[ignore]]` the rule in `schemagate.toml` for the squashed files.
    pub struct DeletedAppliedMigration {
        id: "deleted-applied-migration",
        severity: Error,
        category: Conflict,
        summary: "A migration already on the base branch was deleted",
    }
}
