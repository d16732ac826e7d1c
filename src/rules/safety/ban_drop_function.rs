use super::applied;
use crate::declare_rule;
use crate::findings::Finding;
use crate::model::{base_of, qualified, qualify_name, schema_of, signature};
use crate::rules::{LintContext, Rule, RuleMeta};
use crate::sql::{Parsed, TreeRef};
use sqlparser::ast::Statement;

declare_rule! {
    /// ## What it does
    /// Reports `DROP FUNCTION` of a function that exists before the migration. Quiet when
    /// the same migration creates it again with the same arguments (changing a return type
    /// needs the drop); when it comes back with other arguments, says that callers passing
    /// the old ones fail.
    ///
    /// ## Why is this bad?
    /// Triggers, views, policies and clients that call the function fail from the moment
    /// the migration commits. In an exposed schema of a Supabase project the function is an
    /// RPC endpoint (`/rest/v1/rpc/<name>`): it disappears, and deployed apps get errors.
    ///
    /// ## Example
    /// ```sql
    /// drop function public.invite_member(uuid, text);
    /// ```
    ///
    /// Use instead: stop calling it from every client first, release, and drop it in a
    /// later migration with a suppression that says so; or change it in place with
    /// `create or replace function`, keeping its arguments.
    /// ```sql
    /// -- schemagate-ignore ban-drop-function: replaced by invite_members in release 12
    /// drop function public.invite_member(uuid, text);
    /// ```
    ///
    /// ## How to suppress
    /// `-- schemagate-ignore ban-drop-function: <reason>` before the statement.
    pub struct BanDropFunction {
        id: "ban-drop-function",
        severity: Warning,
        category: Safety,
        summary: "An existing function is dropped (callers and RPC endpoints break)",
    }
}

impl Rule for BanDropFunction {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Vec<Finding>) {
        for (m, migration, s, statement) in applied(cx.set) {
            let Some(TreeRef::Other(Statement::DropFunction(drop))) = statement.ast() else {
                continue;
            };
            for desc in &drop.func_desc {
                let function = qualified(&desc.name);
                if !cx.fresh.drops_existing(&function, drop.if_exists, m, s) {
                    continue;
                }
                // Dropped to be created again by the same migration (a new return type
                // needs it): with the same arguments, callers see no difference.
                let wanted = desc.args.as_deref().map(signature);
                let recreated: Vec<String> = migration.statements[s + 1..]
                    .iter()
                    .filter(|later| later.applies)
                    .filter_map(|later| match &later.parsed {
                        Parsed::Ast(tree) => match tree.as_ref() {
                            TreeRef::CreateFunction(create)
                                if qualified(&create.name) == function =>
                            {
                                Some(create.args.as_deref().map(signature).unwrap_or_default())
                            }
                            _ => None,
                        },
                        // Unparsed: its arguments are unknown, so taken as the same.
                        Parsed::Fallback(fallback)
                            if fallback.command == "CREATE FUNCTION"
                                && fallback.objects.first().map(|o| qualify_name(o))
                                    == Some(function.clone()) =>
                        {
                            Some(wanted.clone().unwrap_or_default())
                        }
                        _ => None,
                    })
                    .collect();
                if recreated
                    .iter()
                    .any(|args| wanted.as_ref().is_none_or(|w| w == args))
                {
                    continue;
                }
                if let Some(args) = recreated.first() {
                    out.push(
                        cx.finding(
                            &Self::META,
                            migration,
                            statement,
                            format!(
                                "`{function}({})` is dropped and created again with other arguments (`{function}({args})`): callers that pass the old ones fail",
                                wanted.unwrap_or_default()
                            ),
                        )
                        .with_help("keep the old signature until nothing deployed calls it (add the new one beside it, drop the old one in a later release); then suppress with the reason")
                        .with_object(function),
                    );
                    continue;
                }
                let endpoint = if cx.is_exposed(schema_of(&function)) {
                    format!(
                        "; it is the RPC endpoint `/rest/v1/rpc/{}`, which disappears",
                        base_of(&function)
                    )
                } else {
                    String::new()
                };
                out.push(
                    cx.finding(
                        &Self::META,
                        migration,
                        statement,
                        format!("`{function}` is dropped: triggers, views, policies and clients that call it fail{endpoint}"),
                    )
                    .with_help("make sure nothing deployed calls it (release first, drop later), or change it in place with `create or replace function`; then suppress with the reason")
                    .with_object(function),
                );
            }
        }
    }
}
