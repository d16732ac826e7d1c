use crate::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a foreign key from an application table to a unique constraint of a table in
    /// the `auth` schema other than its primary key, e.g. `references auth.users (email)`
    /// (catalog rule).
    ///
    /// ## Why is this bad?
    /// Supabase owns the `auth` schema and changes it in its own migrations. Its unique
    /// constraints other than the primary key are not a stable interface: when an upgrade
    /// drops or replaces one, the dependent foreign key blocks the upgrade or is dropped
    /// with it.
    ///
    /// ## Example
    /// ```sql
    /// create table public.invites (email text references auth.users (email));
    /// ```
    ///
    /// Use instead:
    /// ```sql
    /// create table public.invites (user_id uuid references auth.users (id));
    /// ```
    ///
    /// ## How to suppress
    /// `-- schemagate-ignore fkey-to-auth-unique: <reason>` before the statement that adds
    /// the foreign key, or an `[[ignore]]` entry with the object `public.invites.email`.
    pub struct FkeyToAuthUnique {
        id: "fkey-to-auth-unique",
        severity: Warning,
        category: Safety,
        scope: Supabase,
        summary: "A foreign key references an auth table's unique constraint, not its primary key",
    }
}
