use crate::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a column named like a secret (`password`, `password_hash`, `api_key`,
    /// `access_token`, `refresh_token`, `private_key`, `ssn`, `card_number`, `cvv`, `iban`,
    /// or any name ending in one of them after `_`) that `anon` or `authenticated` can select
    /// with no row level security in between: a table with RLS off, a view without
    /// `security_invoker`, a materialized view or a foreign table in an exposed schema
    /// (catalog rule).
    ///
    /// ## Why is this bad?
    /// Every row of the column is one HTTP request away for anyone holding the public API
    /// key. Password hashes can be cracked offline; tokens and keys work as they are.
    ///
    /// ## Example
    /// ```sql
    /// create table public.integrations (id bigint primary key, owner uuid, api_key text);
    /// grant select on public.integrations to anon;
    /// ```
    ///
    /// Use instead:
    /// ```sql
    /// create table public.integrations (id bigint primary key, owner uuid, api_key text);
    /// alter table public.integrations enable row level security;
    /// revoke select (api_key) on public.integrations from anon, authenticated;
    /// ```
    ///
    /// ## How to suppress
    /// An `[[ignore]]` entry with `rule = "sensitive-columns-exposed"` and
    /// `object = "public.integrations.api_key"`, or a comment before the `create table`.
    pub struct SensitiveColumnsExposed {
        id: "sensitive-columns-exposed",
        severity: Error,
        category: Security,
        scope: Api,
        summary: "A column named like a secret is readable through the API without RLS",
    }
}
