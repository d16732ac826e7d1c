use crate::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a view or materialized view in an exposed schema that reads `auth.users`
    /// (directly or through other views) and that `anon` or `authenticated` can select
    /// (catalog rule: runs on the applied schema or with `schemagate inspect`).
    ///
    /// ## Why is this bad?
    /// `auth.users` holds every user's email, phone, metadata and sign-in history. A view
    /// runs with its owner's rights unless it is `security_invoker`, and a materialized view
    /// stores a copy; either way the API hands those rows to anyone with the public key.
    ///
    /// ## Example
    /// ```sql
    /// create view public.members as select id, email, raw_user_meta_data from auth.users;
    /// ```
    ///
    /// Use instead: a profile table the app fills (e.g. from a trigger), with row level
    /// security:
    /// ```sql
    /// create table public.profiles (id uuid primary key references auth.users (id), display_name text);
    /// alter table public.profiles enable row level security;
    /// create policy "read own profile" on public.profiles for select
    ///   using ((select auth.uid()) = id);
    /// ```
    ///
    /// ## How to suppress
    /// `-- schemagate-ignore auth-users-exposed: <reason>` before the `create view`, or an
    /// `[[ignore]]` entry with `object = "public.members"`.
    pub struct AuthUsersExposed {
        id: "auth-users-exposed",
        severity: Error,
        category: Security,
        scope: Supabase,
        summary: "A view in the API exposes auth.users",
    }
}
