use super::existing_alters;
use crate::declare_rule;
use crate::findings::Finding;
use crate::model::base_of;
use crate::rules::{LintContext, Rule, RuleMeta};
use sqlparser::ast::{AlterTableOperation, RenameTableNameKind};

declare_rule! {
    /// ## What it does
    /// Reports `ALTER TABLE … RENAME TO` of a table that exists before the migration.
    ///
    /// ## Why is this bad?
    /// Every deployed client that queries the table by its old name (the API, other
    /// services, functions written as strings) fails from the moment the migration commits.
    ///
    /// ## Example
    /// ```sql
    /// alter table public.customer rename to customers;
    /// ```
    ///
    /// Use instead: rename, and keep the old name as a simple view until every client has
    /// moved (a view over one table is updatable).
    /// ```sql
    /// alter table public.customer rename to customers;
    /// create view public.customer with (security_invoker = true) as select * from public.customers;
    /// ```
    ///
    /// ## How to suppress
    /// `-- schemagate-ignore renaming-table: <reason>` before the statement.
    pub struct RenamingTable {
        id: "renaming-table",
        severity: Warning,
        category: Safety,
        summary: "An existing table is renamed, breaking clients that use the old name",
    }
}

impl Rule for RenamingTable {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Vec<Finding>) {
        for alter in existing_alters(cx) {
            let AlterTableOperation::RenameTable {
                table_name: RenameTableNameKind::To(to) | RenameTableNameKind::As(to),
            } = alter.operation
            else {
                continue;
            };
            let new = crate::model::qualified(to);
            out.push(
                alter.finding(
                    cx,
                    &Self::META,
                    format!(
                        "`{}` is renamed to `{}`: deployed clients that use the old name fail",
                        alter.table,
                        base_of(&new)
                    ),
                )
                .with_help(
                    "keep the old name as a view over the renamed table until no client uses it",
                )
                .with_object(alter.table.clone()),
            );
        }
    }
}
