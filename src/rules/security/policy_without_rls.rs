use crate::declare_rule;
use crate::findings::Finding;
use crate::model::sql_name;
use crate::rules::{LintContext, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports a table, created by the migrations, that has row level security policies
    /// while row level security is never enabled on it.
    ///
    /// ## Why is this bad?
    /// Policies only take effect once row level security is enabled. Until then every role
    /// with table privileges sees every row, and the policies give a false sense of
    /// security.
    ///
    /// ## Example
    /// ```sql
    /// create table public.notes (id bigint primary key, owner uuid);
    /// create policy "own notes" on public.notes using ((select auth.uid()) = owner);
    /// ```
    ///
    /// Use instead:
    /// ```sql
    /// alter table public.notes enable row level security;
    /// ```
    ///
    /// ## How to suppress
    /// `-- schemagate-ignore policy-without-rls: <reason>` before the first `create policy`.
    pub struct PolicyWithoutRls {
        id: "policy-without-rls",
        severity: Error,
        category: Security,
        summary: "A table has policies but row level security is not enabled",
    }
}

impl Rule for PolicyWithoutRls {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Vec<Finding>) {
        for table in cx.model.tables.values().filter(|t| !t.rls_enabled) {
            let policies: Vec<_> = cx.model.policies_on(&table.name).collect();
            let Some(first) = policies.iter().min_by_key(|p| p.history.created) else {
                continue;
            };
            let names: Vec<String> = policies.iter().map(|p| format!("`{}`", p.name)).collect();
            out.push(
                cx.finding_at(
                    &Self::META,
                    first.history.created,
                    format!(
                        "table `{}` has {} {} ({}) but row level security is never enabled, so {} not applied",
                        table.name,
                        policies.len(),
                        if policies.len() == 1 { "policy" } else { "policies" },
                        names.join(", "),
                        if policies.len() == 1 { "it is" } else { "they are" }
                    ),
                )
                .with_help(format!(
                    "alter table {} enable row level security;",
                    sql_name(&table.name)
                ))
                .with_object(&table.name),
            );
        }
    }
}
