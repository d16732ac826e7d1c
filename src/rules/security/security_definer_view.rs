use crate::declare_rule;
use crate::findings::Finding;
use crate::model::sql_name;
use crate::rules::{LintContext, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports a view in an exposed schema that is not created with
    /// `security_invoker = true` (nor switched to it by `alter view … set (…)`).
    /// Views whose `select` is revoked from both `anon` and `authenticated` are not
    /// reported: the API cannot read them. Materialized views have no such option and
    /// are not reported. Skipped when the
    /// project targets PostgreSQL older than 15 (`[db].major_version`), which lacks it.
    ///
    /// ## Why is this bad?
    /// A view runs with its owner's privileges by default. The owner of views created in
    /// migrations is `postgres`, which bypasses row level security, so API users reading
    /// the view see rows the policies of the underlying tables would hide.
    ///
    /// ## Example
    /// ```sql
    /// create view public.open_orders as select * from public.orders where not closed;
    /// ```
    ///
    /// Use instead:
    /// ```sql
    /// create view public.open_orders with (security_invoker = true)
    ///   as select * from public.orders where not closed;
    /// ```
    ///
    /// ## How to suppress
    /// `-- schemagate-ignore security-definer-view: <reason>` before the view, for a view
    /// meant to expose exactly its rows to everyone.
    pub struct SecurityDefinerView {
        id: "security-definer-view",
        severity: Warning,
        category: Security,
        scope: Api,
        summary: "A view in an exposed schema bypasses row level security (no security_invoker)",
    }
}

impl Rule for SecurityDefinerView {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Vec<Finding>) {
        if cx.config.pg_major.as_ref().is_some_and(|m| m.major < 15) {
            return;
        }
        for view in cx.model.views.values() {
            if view.materialized
                || view.security_invoker
                || !cx.is_exposed(&view.schema)
                || !cx.model.api_readable(&view.name, view.history.created)
            {
                continue;
            }
            out.push(
                cx.finding_at(
                    &Self::META,
                    view.history.changed,
                    format!(
                        "view `{}` runs with its owner's rights: API users read through it without the row level security of its tables",
                        view.name
                    ),
                )
                .with_help(format!(
                    "alter view {} set (security_invoker = on);",
                    sql_name(&view.name)
                ))
                .with_object(&view.name),
            );
        }
    }
}
