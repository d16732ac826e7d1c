use crate::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a `-- schemagate-ignore` comment or a config `[[ignore]]` entry that matched no
    /// finding.
    ///
    /// ## Why is this bad?
    /// The problem it was written for is gone (or never was): the stale comment misleads the
    /// next reader and would hide a new problem of the same kind.
    ///
    /// ## How to fix
    /// Delete the suppression.
    pub struct UnusedSuppression {
        id: "unused-suppression",
        severity: Info,
        category: Input,
        summary: "A suppression comment suppresses nothing",
    }
}
