use crate::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a migration file that cannot be read as text: permissions, a binary file
    /// (NUL bytes), or a file too large to be a migration.
    ///
    /// ## Why is this bad?
    /// The migration tool would fail on it, or apply something nobody reviewed.
    ///
    /// ## How to fix
    /// Replace the file with the SQL it should contain, or move it out of the migrations folder.
    pub struct UnreadableFile {
        id: "unreadable-file",
        severity: Error,
        category: Input,
        summary: "A migration file cannot be read as SQL text",
    }
}
