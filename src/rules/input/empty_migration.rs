use crate::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a migration file with no SQL statement (empty, or only comments).
    ///
    /// ## Why is this bad?
    /// It is harmless to apply, but usually a placeholder that was meant to be filled, and it
    /// takes a version that later files cannot use.
    ///
    /// ## How to fix
    /// Delete the file, or add the statements it was meant to contain.
    pub struct EmptyMigration {
        id: "empty-migration",
        severity: Info,
        category: Input,
        summary: "A migration file contains no statement",
    }
}
