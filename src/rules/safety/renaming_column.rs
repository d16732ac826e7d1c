use super::existing_alters;
use crate::declare_rule;
use crate::findings::Finding;
use crate::model::ident_name;
use crate::rules::{LintContext, Rule, RuleMeta};
use sqlparser::ast::AlterTableOperation;

declare_rule! {
    /// ## What it does
    /// Reports `ALTER TABLE … RENAME COLUMN` on a table that exists before the migration.
    ///
    /// ## Why is this bad?
    /// The rename is instant, but every client still running the previous release (API
    /// queries, views' callers, functions, other services) asks for the old name and fails
    /// from the moment the migration commits until it is redeployed.
    ///
    /// ## Example
    /// ```sql
    /// alter table public.profiles rename column name to full_name;
    /// ```
    ///
    /// Use instead: add the new column, write both, move readers over, then drop the old
    /// one in a later release; or expose the new name through a view.
    /// ```sql
    /// alter table public.profiles add column full_name text;
    /// ```
    ///
    /// ## How to suppress
    /// `-- schemagate-ignore renaming-column: <reason>` before the statement, e.g. when no
    /// deployed client reads the column.
    pub struct RenamingColumn {
        id: "renaming-column",
        severity: Warning,
        category: Safety,
        summary: "A column of an existing table is renamed, breaking clients that use the old name",
    }
}

impl Rule for RenamingColumn {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Vec<Finding>) {
        for alter in existing_alters(cx) {
            let AlterTableOperation::RenameColumn {
                old_column_name,
                new_column_name,
            } = alter.operation
            else {
                continue;
            };
            let old = ident_name(old_column_name);
            out.push(
                alter.finding(
                    cx,
                    &Self::META,
                    format!(
                        "`{}.{old}` is renamed to `{}`: deployed clients that use the old name fail",
                        alter.table,
                        ident_name(new_column_name)
                    ),
                )
                .with_help("add the new column and move clients over before dropping the old one, or keep the old name readable through a view")
                .with_object(format!("{}.{old}", alter.table)),
            );
        }
    }
}
