use crate::declare_rule;
use crate::findings::Finding;
use crate::rules::{policy_clauses, LintContext, Rule, RuleMeta};
use crate::sql::TreeRef;
use sqlparser::ast::{Expr, Query, SetExpr, Spanned, Visit, Visitor};
use sqlparser::tokenizer::Span;
use std::ops::ControlFlow;

/// Functions that return the same value for every row of a statement.
const PER_STATEMENT: &[&str] = &[
    "auth.uid",
    "auth.jwt",
    "auth.role",
    "auth.email",
    "current_setting",
];

declare_rule! {
    /// ## What it does
    /// Reports `auth.uid()`, `auth.jwt()`, `auth.role()`, `auth.email()` and
    /// `current_setting()` in a policy's `USING` or `WITH CHECK` when the call is not
    /// wrapped in a scalar sub-select like `(select auth.uid())`. A call inside a
    /// sub-select that reads a table (`exists (select 1 from t where t.user_id =
    /// auth.uid())`) is reported too: it runs once per row of that sub-select.
    ///
    /// ## Why is this bad?
    /// PostgreSQL evaluates the function once per row the policy filters. Wrapped as
    /// `(select auth.uid())`, the planner computes it once per statement (an *initPlan*)
    /// and reuses the value: on large tables that is the difference between milliseconds
    /// and seconds.
    ///
    /// ## Example
    /// ```sql
    /// create policy "own rows" on public.notes using (auth.uid() = owner);
    /// ```
    ///
    /// Use instead:
    /// ```sql
    /// create policy "own rows" on public.notes using ((select auth.uid()) = owner);
    /// ```
    ///
    /// ## How to suppress
    /// `-- schemagate-ignore auth-rls-initplan: <reason>` before the policy.
    pub struct AuthRlsInitplan {
        id: "auth-rls-initplan",
        severity: Warning,
        category: Performance,
        scope: Supabase,
        summary: "A policy calls auth.uid()/auth.jwt()/current_setting() per row instead of (select …)",
    }
}

impl Rule for AuthRlsInitplan {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Vec<Finding>) {
        for policy in cx.model.policies.values().filter(|p| p.parsed) {
            let mut calls = PerRowCalls::default();
            for expr in policy.expressions() {
                let _ = expr.visit(&mut calls);
            }
            if calls.found.is_empty() {
                continue;
            }
            let listed: Vec<String> = calls.found.iter().map(|c| format!("`{c}()`")).collect();
            let call = match calls.found[0].as_str() {
                "current_setting" => "current_setting(…)".to_string(),
                name => format!("{name}()"),
            };
            out.push(
                cx.finding_at_element(
                    &Self::META,
                    policy.history.changed,
                    first_per_row_call,
                    format!(
                        "policy `{}` on `{}` calls {} for every row",
                        policy.name,
                        policy.table,
                        listed.join(", ")
                    ),
                )
                .with_help(format!(
                    "wrap each call in a scalar sub-select so PostgreSQL evaluates it once per statement: `(select {call})` instead of `{call}`"
                ))
                .with_object(policy.object()),
            );
        }
    }
}

/// Where a policy statement's clauses first call one of the functions per row.
fn first_per_row_call(statement: TreeRef<'_>) -> Option<Span> {
    let (using, with_check) = policy_clauses(statement);
    let mut calls = PerRowCalls::default();
    for expr in using.into_iter().chain(with_check) {
        let _ = expr.visit(&mut calls);
    }
    calls.first
}

/// Collects per-statement function calls that are not the sole content of a FROM-less
/// sub-select.
#[derive(Default)]
struct PerRowCalls {
    /// For each enclosing query: is it a FROM-less `select` (a wrapper)?
    queries: Vec<bool>,
    /// Each call once, in order of first appearance.
    found: Vec<String>,
    /// The first such call.
    first: Option<Span>,
}

impl Visitor for PerRowCalls {
    type Break = ();

    fn pre_visit_query(&mut self, query: &Query) -> ControlFlow<()> {
        let wrapper =
            matches!(query.body.as_ref(), SetExpr::Select(select) if select.from.is_empty());
        self.queries.push(wrapper);
        ControlFlow::Continue(())
    }

    fn post_visit_query(&mut self, _query: &Query) -> ControlFlow<()> {
        self.queries.pop();
        ControlFlow::Continue(())
    }

    fn pre_visit_expr(&mut self, expr: &Expr) -> ControlFlow<()> {
        if let Expr::Function(function) = expr {
            let name = function.name.to_string().replace('"', "").to_lowercase();
            let wrapped = self.queries.last().copied().unwrap_or(false);
            if PER_STATEMENT.contains(&name.as_str()) && !wrapped && !self.found.contains(&name) {
                self.found.push(name);
                self.first.get_or_insert(expr.span());
            }
        }
        ControlFlow::Continue(())
    }
}
