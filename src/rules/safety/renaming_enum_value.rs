use super::applied;
use crate::declare_rule;
use crate::findings::Finding;
use crate::model::{ident_name, qualified};
use crate::rules::{LintContext, Rule, RuleMeta};
use crate::sql::TreeRef;
use sqlparser::ast::{AlterType, AlterTypeOperation, Statement};

declare_rule! {
    /// ## What it does
    /// Reports `ALTER TYPE … RENAME VALUE` on an enum that exists before the migration.
    ///
    /// ## Why is this bad?
    /// Every stored row changes its label at once, while deployed clients still send and
    /// compare the old one: their inserts fail with `invalid input value for enum`, and
    /// their comparisons silently stop matching. Generated API types go stale too.
    ///
    /// ## Example
    /// ```sql
    /// alter type public.order_status rename value 'canceled' to 'cancelled';
    /// ```
    ///
    /// Use instead: add the new value, move rows and clients to it, and stop using the old
    /// one (enum values cannot be dropped; keep it unused).
    /// ```sql
    /// alter type public.order_status add value if not exists 'cancelled';
    /// ```
    ///
    /// ## How to suppress
    /// `-- schemagate-ignore renaming-enum-value: <reason>` before the statement.
    pub struct RenamingEnumValue {
        id: "renaming-enum-value",
        severity: Warning,
        category: Safety,
        summary: "A value of an existing enum is renamed (deployed clients break)",
    }
}

impl Rule for RenamingEnumValue {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Vec<Finding>) {
        for (m, migration, s, statement) in applied(cx.set) {
            let Some(TreeRef::Other(Statement::AlterType(AlterType {
                name,
                operation: AlterTypeOperation::RenameValue(rename),
            }))) = statement.ast()
            else {
                continue;
            };
            let enum_name = qualified(name);
            if cx.fresh.is_fresh(&enum_name, m, s) {
                continue;
            }
            let (from, to) = (ident_name(&rename.from), ident_name(&rename.to));
            out.push(
                cx.finding(
                    &Self::META,
                    migration,
                    statement,
                    format!("value '{from}' of `{enum_name}` is renamed to '{to}': stored rows change at once, and deployed clients that still send or compare '{from}' fail"),
                )
                .with_help("add the new value (`alter type … add value`), move rows and clients to it, and leave the old one unused")
                .with_object(format!("{enum_name}.{from}")),
            );
        }
    }
}
