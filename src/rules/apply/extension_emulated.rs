use crate::declare_rule;

declare_rule! {
    /// ## What it does
    /// Notes that a migration created an extension schemagate emulates because the server
    /// lacks it (Supabase's pg_net, pg_cron, pg_graphql, pgsodium, supabase_vault, pgmq,
    /// vector, …): its schema, tables, types and functions exist with their real signatures,
    /// but they do nothing (no HTTP request is sent, no job runs).
    ///
    /// ## Why is this bad?
    /// It is not: migrations that use these extensions apply as on Supabase. It says where
    /// the check is less faithful: code that depends on what the functions return is not
    /// exercised.
    ///
    /// ## Example
    /// ```sql
    /// create extension if not exists pg_net with schema extensions;
    /// ```
    ///
    /// ## How to suppress
    /// `extension-emulated = "off"` in `[rules]`, or install the real extension, or pass
    /// `--database-url` pointing to a `supabase/postgres` container.
    pub struct ExtensionEmulated {
        id: "extension-emulated",
        severity: Info,
        category: Apply,
        summary: "An extension was emulated by name, without its behaviour",
    }
}
