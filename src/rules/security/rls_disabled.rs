use crate::declare_rule;
use crate::findings::Finding;
use crate::model::sql_name;
use crate::rules::{LintContext, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports a table in an exposed schema (Supabase's `[api].schemas`, `public` by
    /// default) on which no migration enables row level security. A table whose RLS is
    /// enabled by a later migration is fine: the rule looks at the end of the set.
    ///
    /// ## Why is this bad?
    /// Every table in an exposed schema is reachable through the Data API with the public
    /// `anon` key. Without row level security, anyone who has that key (it ships in your
    /// frontend) can read, change and delete every row.
    ///
    /// ## Example
    /// ```sql
    /// create table public.profiles (id uuid primary key, bio text);
    /// ```
    ///
    /// Use instead:
    /// ```sql
    /// create table public.profiles (id uuid primary key, bio text);
    /// alter table public.profiles enable row level security;
    /// create policy "read own profile" on public.profiles for select
    ///   to authenticated using ((select auth.uid()) = id);
    /// ```
    ///
    /// ## How to suppress
    /// `-- schemagate-ignore rls-disabled: <reason>` before the `create table`, or an
    /// `[[ignore]]` entry with `object = "public.profiles"`. Better: move tables the API must
    /// not see to a schema that is not exposed.
    pub struct RlsDisabled {
        id: "rls-disabled",
        severity: Error,
        category: Security,
        scope: Api,
        summary: "A table in an exposed schema does not have row level security enabled",
    }
}

impl Rule for RlsDisabled {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Vec<Finding>) {
        for table in cx.model.tables.values() {
            // A table whose privileges were revoked from the API roles is not reachable.
            if table.rls_enabled
                || !cx.is_exposed(&table.schema)
                || !cx.model.api_readable(&table.name, table.history.created)
            {
                continue;
            }
            out.push(
                cx.finding_at(
                    &Self::META,
                    table.history.created,
                    format!(
                        "table `{}` is in the exposed schema `{}` but row level security is never enabled: anyone with the anon key can read and write every row",
                        table.name, table.schema
                    ),
                )
                .with_help(format!(
                    "alter table {} enable row level security; then add policies for what API users may do",
                    sql_name(&table.name)
                ))
                .with_object(&table.name),
            );
        }
    }
}
