use crate::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports tables, views, indexes, functions and types that a migration creates or
    /// alters in a schema Supabase manages (`auth`, `storage`, `realtime`,
    /// `supabase_functions`, `vault`, `graphql`, `pgsodium`). Found from the catalog after
    /// each file, so objects made by dynamic SQL (`execute` in a `DO` block) count too.
    /// Policies on `storage.objects` and triggers on `auth.users` are allowed and not reported.
    ///
    /// ## Why is this bad?
    /// Hosted Supabase does not let projects own objects in these schemas: `supabase db
    /// push` fails with "permission denied", and Supabase's own upgrades may replace or drop
    /// them.
    ///
    /// ## Example
    /// ```sql
    /// create function auth.is_admin() returns boolean language sql as $$ select true $$;
    /// ```
    ///
    /// ## Use instead
    /// ```sql
    /// create function public.is_admin() returns boolean language sql as $$ select true $$;
    /// ```
    ///
    /// ## How to suppress
    /// `-- schemagate-ignore objects-in-supabase-schemas: reason` on the line before the
    /// statement, or an `[[ignore]]` entry with the object.
    pub struct ObjectsInSupabaseSchemas {
        id: "objects-in-supabase-schemas",
        severity: Warning,
        category: Security,
        summary: "A migration creates or alters objects in a Supabase-managed schema",
    }
}
