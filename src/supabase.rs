//! What Supabase owns in a project's database, in one place: the rules, the apply stage,
//! the failure causes, dumps and backups all ask here.

/// Schemas Supabase (or an extension it ships) manages: the project cannot change them, so
/// findings there are noise, dumps and backups leave them out, and the prelude provides
/// what a fresh project has in them. System schemas (`pg_*`) are left out everywhere too.
pub const MANAGED_SCHEMAS: &[&str] = &[
    "_analytics",
    "_realtime",
    "auth",
    "cron",
    "extensions",
    "graphql",
    "graphql_public",
    "information_schema",
    "net",
    "pgbouncer",
    "pgmq",
    "pgsodium",
    "pgsodium_masks",
    "pgtle",
    "realtime",
    "repack",
    "storage",
    "supabase_functions",
    "supabase_migrations",
    "tiger",
    "tiger_data",
    "topology",
    "vault",
];

/// The managed schemas whose objects hosted Supabase does not let a migration create or
/// alter (its services own them; `supabase db push` fails with permission denied).
/// Policies on their tables and triggers on `auth.users` are allowed.
pub const RESTRICTED_SCHEMAS: &[&str] = &[
    "auth",
    "storage",
    "realtime",
    "supabase_functions",
    "vault",
    "graphql",
    "graphql_public",
    "pgsodium",
];
