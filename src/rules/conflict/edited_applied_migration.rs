use crate::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a migration file whose content changed after it was applied (compared with
    /// the statements or checksum the database's history stores, or with the base branch).
    ///
    /// ## Why is this bad?
    /// Databases that already applied the migration never run the change: production and
    /// fresh environments drift apart silently.
    ///
    /// ## How to fix
    /// Restore the applied content and put the change in a new migration.
    pub struct EditedAppliedMigration {
        id: "edited-applied-migration",
        severity: Error,
        category: Conflict,
        summary: "A migration was edited after it was applied",
    }
}
