use super::existing_drops;
use crate::declare_rule;
use crate::findings::Finding;
use crate::model::schema_of;
use crate::rules::{LintContext, Rule, RuleMeta};
use sqlparser::ast::ObjectType;

declare_rule! {
    /// ## What it does
    /// Reports `DROP VIEW` and `DROP MATERIALIZED VIEW` of a view that exists before the
    /// migration. Quiet when the same migration creates the view again (to remove a column,
    /// which `create or replace view` cannot).
    ///
    /// ## Why is this bad?
    /// Every client that still queries the view fails from the moment the migration
    /// commits. In an exposed schema of a Supabase project the view is an API endpoint
    /// (`/rest/v1/<view>`): it disappears, and deployed apps get errors.
    ///
    /// ## Example
    /// ```sql
    /// drop view public.active_members;
    /// ```
    ///
    /// Use instead: stop using the view in every client first, release, and drop it in a
    /// later migration with a suppression that says so; or replace it in place with
    /// `create or replace view`, keeping its columns.
    /// ```sql
    /// -- schemagate-ignore ban-drop-view: unused since release 42
    /// drop view public.active_members;
    /// ```
    ///
    /// ## How to suppress
    /// `-- schemagate-ignore ban-drop-view: <reason>` before the statement.
    pub struct BanDropView {
        id: "ban-drop-view",
        severity: Warning,
        category: Safety,
        summary: "An existing view is dropped (clients and API endpoints break)",
    }
}

impl Rule for BanDropView {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Vec<Finding>) {
        let drops = existing_drops(cx, ObjectType::View)
            .into_iter()
            .chain(existing_drops(cx, ObjectType::MaterializedView));
        for drop in drops {
            let view = drop.name;
            let (m, s) = drop.at;
            if cx.fresh.created_again_in(&view, m, s) {
                continue;
            }
            let endpoint = if cx.is_exposed(schema_of(&view)) {
                format!(
                    "; it is the API endpoint `/rest/v1/{}`, which disappears",
                    crate::model::base_of(&view)
                )
            } else {
                String::new()
            };
            out.push(
                cx.finding(
                    &Self::META,
                    drop.migration,
                    drop.statement,
                    format!("`{view}` is dropped: clients that still query it fail{endpoint}"),
                )
                .with_help("make sure no deployed client uses the view (release first, drop later), or replace it in place with `create or replace view`; then suppress with the reason")
                .with_object(view),
            );
        }
    }
}
