use crate::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a migration whose version (the leading digits of its name) is already used by
    /// another migration of the same folder, or, with a base branch, a migration this branch
    /// added whose version a different file on the base branch already uses (two pull
    /// requests that each picked the same version).
    ///
    /// ## Why is this bad?
    /// The version is the primary key of the migration history: the second file fails to
    /// apply (`supabase db push` stops with a duplicate key error), or one of the two is
    /// silently skipped, depending on the tool.
    ///
    /// ## Example
    /// ```text
    /// 20240101120000_create_profiles.sql
    /// 20240101120000_create_posts.sql
    /// ```
    ///
    /// Use instead:
    /// ```text
    /// 20240101120000_create_profiles.sql
    /// 20240101120100_create_posts.sql
    /// ```
    pub struct DuplicateVersion {
        id: "duplicate-version",
        severity: Error,
        category: Conflict,
        summary: "Two migrations share a version",
    }
}
