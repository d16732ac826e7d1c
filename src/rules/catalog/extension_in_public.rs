use crate::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports an extension installed into `public` or another exposed schema (catalog
    /// rule). `plpgsql` is not reported.
    ///
    /// ## Why is this bad?
    /// Everything the extension creates (functions, types, operators, sometimes tables)
    /// lands in the API next to the application's objects: more surface for the API roles,
    /// names that clash with or shadow the application's, and dumps that mix both.
    ///
    /// ## Example
    /// ```sql
    /// create extension pg_trgm;
    /// ```
    ///
    /// Use instead:
    /// ```sql
    /// create schema if not exists extensions;
    /// create extension pg_trgm with schema extensions;
    /// ```
    /// An extension already in `public` moves with `alter extension pg_trgm set schema extensions`
    /// (when it is relocatable).
    ///
    /// ## How to suppress
    /// `-- schemagate-ignore extension-in-public: <reason>` before the `create extension`, or
    /// an `[[ignore]]` entry with the object `public.pg_trgm`.
    pub struct ExtensionInPublic {
        id: "extension-in-public",
        severity: Warning,
        category: Security,
        scope: Api,
        summary: "An extension is installed in an exposed schema",
    }
}
