use super::{existing_alters, LOCK_TIMEOUT_HINT};
use crate::declare_rule;
use crate::findings::Finding;
use crate::model::ident_name;
use crate::rules::{LintContext, Rule, RuleMeta};
use sqlparser::ast::{AlterColumnOperation, AlterTableOperation};

declare_rule! {
    /// ## What it does
    /// Reports `ALTER TABLE … ALTER COLUMN … TYPE` on a table that exists before the
    /// migration.
    ///
    /// ## Why is this bad?
    /// Most type changes rewrite the table and rebuild its indexes under an ACCESS EXCLUSIVE
    /// lock, blocking every read and write for the duration. Only a few are metadata-only
    /// (such as widening `varchar(n)` or changing it to `text`). Clients that read the column
    /// may also break on the new type.
    ///
    /// ## Example
    /// ```sql
    /// alter table public.orders alter column total type numeric(12, 2);
    /// ```
    ///
    /// Use instead: add a new column, write to both, backfill in batches, switch readers,
    /// then drop the old column.
    /// ```sql
    /// alter table public.orders add column total_exact numeric(12, 2);
    /// ```
    ///
    /// ## How to suppress
    /// `-- schemagate-ignore changing-column-type: <reason>` before the statement, e.g. for a
    /// change PostgreSQL makes without a rewrite.
    pub struct ChangingColumnType {
        id: "changing-column-type",
        severity: Warning,
        category: Safety,
        summary: "A column of an existing table changes type (usually a table rewrite)",
    }
}

impl Rule for ChangingColumnType {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Vec<Finding>) {
        for alter in existing_alters(cx) {
            let AlterTableOperation::AlterColumn {
                column_name,
                op: AlterColumnOperation::SetDataType { data_type, .. },
            } = alter.operation
            else {
                continue;
            };
            let column = ident_name(column_name);
            out.push(
                alter.finding(
                    cx,
                    &Self::META,
                    format!(
                        "`{}.{column}` changes type to {}: PostgreSQL usually rewrites the table under an exclusive lock",
                        alter.table,
                        data_type.to_string().to_lowercase()
                    ),
                )
                .with_help(format!(
                    "add a column of the new type, backfill it in batches and switch to it; {LOCK_TIMEOUT_HINT}"
                ))
                .with_object(format!("{}.{column}", alter.table)),
            );
        }
    }
}
