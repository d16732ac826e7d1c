use crate::declare_rule;
use crate::findings::Finding;
use crate::rules::{LintContext, Rule, RuleMeta};
use crate::sql::TreeRef;
use sqlparser::ast::Spanned;

declare_rule! {
    /// ## What it does
    /// Reports a row level security policy whose `USING` or `WITH CHECK` expression reads
    /// `user_metadata` (`auth.jwt() -> 'user_metadata'`, `raw_user_meta_data`).
    ///
    /// ## Why is this bad?
    /// In Supabase, user metadata is editable by the signed-in user through the auth API. A
    /// policy that trusts it (for a role, a tenant id, a flag) lets any user grant themselves
    /// access by updating their own profile.
    ///
    /// ## Example
    /// ```sql
    /// create policy "admins read all" on public.reports for select
    ///   using ((auth.jwt() -> 'user_metadata' ->> 'role') = 'admin');
    /// ```
    ///
    /// Use instead (`app_metadata` can only be written with the service role):
    /// ```sql
    /// create policy "admins read all" on public.reports for select
    ///   using ((auth.jwt() -> 'app_metadata' ->> 'role') = 'admin');
    /// ```
    ///
    /// ## How to suppress
    /// `-- schemagate-ignore policy-user-metadata: <reason>` before the `create policy`.
    pub struct PolicyUserMetadata {
        id: "policy-user-metadata",
        severity: Error,
        category: Security,
        scope: Supabase,
        summary: "A policy trusts user_metadata, which users can edit themselves",
    }
}

impl Rule for PolicyUserMetadata {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Vec<Finding>) {
        for migration in cx.set.applied() {
            for statement in &migration.statements {
                let (name, table, expressions) = match statement.ast() {
                    Some(TreeRef::CreatePolicy(policy)) => (
                        &policy.name,
                        &policy.table_name,
                        [&policy.using, &policy.with_check],
                    ),
                    _ => continue,
                };
                let reading = expressions.iter().flat_map(|e| e.as_ref()).find(|e| {
                    let text = e.to_string().to_ascii_lowercase();
                    text.contains("user_metadata") || text.contains("raw_user_meta_data")
                });
                if let Some(clause) = reading {
                    let table = crate::model::qualified(table);
                    out.push(
                        cx.finding_on_element(
                            &Self::META,
                            migration,
                            statement,
                            clause.span(),
                            format!(
                                "policy `{}` on `{table}` trusts user_metadata, which every user can change for themselves",
                                name.value
                            ),
                        )
                        .with_help("read authorization data from `app_metadata` (only the service role can write it) or from a table the user cannot write")
                        .with_object(format!("{table}.{}", name.value)),
                    );
                }
            }
        }
    }
}
