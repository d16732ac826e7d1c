use crate::declare_rule;
use crate::findings::Finding;
use crate::model::{PolicyCommand, BYPASS_ROLES};
use crate::rules::{policy_clauses, LintContext, Rule, RuleMeta};
use crate::sql::TreeRef;
use sqlparser::ast::{BinaryOperator, Expr, Spanned, Value};
use sqlparser::tokenizer::Span;

declare_rule! {
    /// ## What it does
    /// Reports a permissive `INSERT`, `UPDATE`, `DELETE` or `ALL` policy whose `USING` or
    /// `WITH CHECK` expression is always true: `true`, or a comparison of a literal with
    /// itself such as `1 = 1`. Policies only for roles that bypass row level security anyway
    /// (`service_role`, `postgres`) are not reported.
    ///
    /// ## Why is this bad?
    /// A permissive policy is OR-ed with the others: `true` lets every role it applies to
    /// write every row, whatever the other policies say. It is usually a leftover from
    /// prototyping ("allow all").
    ///
    /// ## Example
    /// ```sql
    /// create policy "anyone can update" on public.posts for update using (true);
    /// ```
    ///
    /// Use instead:
    /// ```sql
    /// create policy "authors update their posts" on public.posts for update
    ///   to authenticated using ((select auth.uid()) = author_id)
    ///   with check ((select auth.uid()) = author_id);
    /// ```
    ///
    /// ## How to suppress
    /// `-- schemagate-ignore policy-always-true: <reason>` before the policy.
    pub struct PolicyAlwaysTrue {
        id: "policy-always-true",
        severity: Warning,
        category: Security,
        summary: "A permissive write policy allows every row (USING/WITH CHECK always true)",
    }
}

impl Rule for PolicyAlwaysTrue {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Vec<Finding>) {
        for policy in cx.model.policies.values() {
            let writes = policy.command != PolicyCommand::Select;
            let for_api = policy
                .roles
                .iter()
                .any(|r| !BYPASS_ROLES.contains(&r.as_str()));
            if !policy.parsed || !policy.permissive || !writes || !for_api {
                continue;
            }
            let clauses: Vec<&str> = [("USING", &policy.using), ("WITH CHECK", &policy.with_check)]
                .into_iter()
                .filter(|(_, e)| e.as_deref().is_some_and(is_true))
                .map(|(clause, _)| clause)
                .collect();
            if clauses.is_empty() {
                continue;
            }
            let first_clause = clauses[0];
            out.push(
                cx.finding_at_element(
                    &Self::META,
                    policy.history.changed,
                    |statement| clause_span(statement, first_clause),
                    format!(
                        "policy `{}` on `{}` lets {} {} every row: its {} is always true",
                        policy.name,
                        policy.table,
                        if policy.roles.iter().any(|r| r == "public") {
                            "every role".to_string()
                        } else {
                            policy.roles.join(", ")
                        },
                        match policy.command {
                            PolicyCommand::All => "read and write".to_string(),
                            other => other.as_str().to_lowercase(),
                        },
                        clauses.join(" and ")
                    ),
                )
                .with_help("restrict the expression to the rows the role may write, e.g. `using ((select auth.uid()) = owner_id)`, or limit the policy `to service_role`")
                .with_object(policy.object()),
            );
        }
    }
}

/// Always true: `true`, or a literal compared with itself (`1 = 1`, `'a' = 'a'`),
/// possibly in parentheses (what the catalog query recognises too).
fn is_true(expr: &Expr) -> bool {
    match expr {
        Expr::Nested(inner) => is_true(inner),
        Expr::Value(value) => matches!(value.value, Value::Boolean(true)),
        Expr::BinaryOp {
            left,
            op: BinaryOperator::Eq,
            right,
        } => literal(left).is_some_and(|l| Some(l) == literal(right)),
        _ => false,
    }
}

/// A non-null literal, unwrapping parentheses and casts.
fn literal(expr: &Expr) -> Option<&Value> {
    match expr {
        Expr::Nested(inner) | Expr::Cast { expr: inner, .. } => literal(inner),
        Expr::Value(value) if value.value != Value::Null => Some(&value.value),
        _ => None,
    }
}

/// The span of a policy statement's `USING` or `WITH CHECK` expression.
fn clause_span(statement: TreeRef<'_>, clause: &str) -> Option<Span> {
    let (using, with_check) = policy_clauses(statement);
    let expr = if clause == "USING" { using } else { with_check };
    expr.map(Spanned::span)
}
