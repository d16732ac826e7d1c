use crate::declare_rule;
use crate::findings::Finding;
use crate::rules::{LintContext, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports a table in an exposed schema with row level security enabled and no policy.
    ///
    /// ## Why is this bad?
    /// With RLS on and no policy, API users (`anon`, `authenticated`) get no rows at all;
    /// only the table owner and the service role can use the table. That is sometimes the
    /// intent (a table only server code touches) but often a forgotten policy.
    ///
    /// ## Example
    /// ```sql
    /// create table public.todos (id bigint primary key, owner uuid);
    /// alter table public.todos enable row level security;
    /// ```
    ///
    /// Use instead:
    /// ```sql
    /// create policy "own todos" on public.todos for all to authenticated
    ///   using ((select auth.uid()) = owner) with check ((select auth.uid()) = owner);
    /// ```
    /// or, for a table only the server uses, a schema that is not exposed.
    ///
    /// ## How to suppress
    /// `-- schemagate-ignore rls-enabled-no-policy: <reason>` before the statement that
    /// enables row level security.
    pub struct RlsEnabledNoPolicy {
        id: "rls-enabled-no-policy",
        severity: Info,
        category: Security,
        scope: Api,
        summary: "Row level security is enabled but the table has no policy",
    }
}

impl Rule for RlsEnabledNoPolicy {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Vec<Finding>) {
        for table in cx.model.tables.values() {
            if !table.rls_enabled
                || !cx.is_exposed(&table.schema)
                || cx.model.policies_on(&table.name).next().is_some()
            {
                continue;
            }
            out.push(
                cx.finding_at(
                    &Self::META,
                    table.rls_changed.unwrap_or(table.history.created),
                    format!(
                        "table `{}` has row level security enabled but no policy: API users can neither read nor write it",
                        table.name
                    ),
                )
                .with_help("add policies for what `anon`/`authenticated` may do, or move the table to a schema the API does not expose")
                .with_object(&table.name),
            );
        }
    }
}
