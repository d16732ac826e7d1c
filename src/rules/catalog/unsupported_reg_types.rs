use crate::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a table or materialized view column of type `regproc`, `regprocedure`,
    /// `regoper`, `regoperator`, `regconfig`, `regdictionary`, `regnamespace` or
    /// `regcollation` (or an array of one) (catalog rule).
    ///
    /// ## Why is this bad?
    /// These types store object OIDs, which a major version upgrade does not preserve, so
    /// `pg_upgrade` refuses to run while such a column exists: the database cannot be
    /// upgraded in place (Supabase's upgrade included) until it is changed.
    ///
    /// ## Example
    /// ```sql
    /// create table public.hooks (id bigint primary key, handler regprocedure);
    /// ```
    ///
    /// Use instead (`regclass`, `regtype` and `regrole` are upgrade-safe):
    /// ```sql
    /// create table public.hooks (id bigint primary key, handler text);
    /// ```
    ///
    /// ## How to suppress
    /// An `[[ignore]]` entry with the object `public.hooks.handler`, or a comment before the
    /// `create table`.
    pub struct UnsupportedRegTypes {
        id: "unsupported-reg-types",
        severity: Warning,
        category: Safety,
        summary: "A column type stores OIDs that pg_upgrade cannot carry over",
    }
}
