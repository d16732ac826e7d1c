use super::existing_alters;
use crate::declare_rule;
use crate::findings::Finding;
use crate::model::ident_name;
use crate::rules::{LintContext, Rule, RuleMeta};
use sqlparser::ast::{AlterTableOperation, ColumnOption};

declare_rule! {
    /// ## What it does
    /// Reports `ALTER TABLE … ADD COLUMN … NOT NULL` without a `DEFAULT` (and not an
    /// identity or generated column) on a table that exists before the migration.
    ///
    /// ## Why is this bad?
    /// PostgreSQL has to fill the new column of every existing row, and without a default
    /// the value is NULL, which the constraint forbids: the migration fails as soon as the
    /// table has one row. It passes on an empty development database and fails in
    /// production.
    ///
    /// ## Example
    /// ```sql
    /// alter table public.orders add column currency text not null;
    /// ```
    ///
    /// Use instead: give it a default (cheap since PostgreSQL 11 when the default is a
    /// constant), or add it nullable, backfill, then set it `NOT NULL`.
    /// ```sql
    /// alter table public.orders add column currency text not null default 'EUR';
    /// ```
    ///
    /// ## How to suppress
    /// `-- schemagate-ignore adding-required-field: <reason>` before the statement, e.g. when
    /// the table is known to be empty everywhere.
    pub struct AddingRequiredField {
        id: "adding-required-field",
        severity: Error,
        category: Safety,
        summary: "A NOT NULL column without a default is added to an existing table",
    }
}

impl Rule for AddingRequiredField {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Vec<Finding>) {
        for alter in existing_alters(cx) {
            let AlterTableOperation::AddColumn { column_def, .. } = alter.operation else {
                continue;
            };
            let options = || column_def.options.iter().map(|o| &o.option);
            let not_null =
                options().any(|o| matches!(o, ColumnOption::NotNull | ColumnOption::PrimaryKey(_)));
            let has_value = options().any(|o| {
                matches!(
                    o,
                    ColumnOption::Default(_)
                        | ColumnOption::Generated { .. }
                        | ColumnOption::Identity(_)
                )
            }) || is_serial(&column_def.data_type.to_string());
            if not_null && !has_value {
                let column = ident_name(&column_def.name);
                out.push(
                    alter.finding(
                        cx,
                        &Self::META,
                        format!(
                            "`{}.{column}` is added NOT NULL without a default: the migration fails on a table that has rows",
                            alter.table
                        ),
                    )
                    .with_help("add a default, or add the column nullable, backfill it, then `alter column … set not null`")
                    .with_object(format!("{}.{column}", alter.table)),
                );
            }
        }
    }
}

/// `serial` types come with a sequence default.
pub(super) fn is_serial(data_type: &str) -> bool {
    matches!(
        data_type.to_ascii_lowercase().as_str(),
        "serial" | "bigserial" | "smallserial" | "serial2" | "serial4" | "serial8"
    )
}
