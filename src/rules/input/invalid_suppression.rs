use crate::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a `-- schemagate-ignore` comment that names no rule, or a rule id that does not
    /// exist (`schemagate rules` lists them).
    ///
    /// ## Why is this bad?
    /// A typo in a suppression silently suppresses nothing, and the finding it was meant for
    /// is reported anyway, or worse, the comment suggests a review that never happened.
    ///
    /// ## Example
    /// ```sql
    /// -- schemagate-ignore rls-disable: internal table
    /// create table public.audit_log (id bigint primary key);
    /// ```
    ///
    /// Use instead:
    /// ```sql
    /// -- schemagate-ignore rls-disabled: internal table, never exposed
    /// create table public.audit_log (id bigint primary key);
    /// ```
    pub struct InvalidSuppression {
        id: "invalid-suppression",
        severity: Warning,
        category: Input,
        summary: "A suppression comment names no rule or an unknown rule",
    }
}
