use super::adding_required_field::is_serial;
use super::existing_alters;
use crate::declare_rule;
use crate::findings::Finding;
use crate::model::ident_name;
use crate::rules::{LintContext, Rule, RuleMeta};
use regex::Regex;
use sqlparser::ast::{AlterTableOperation, ColumnOption};
use std::sync::LazyLock;

/// A function call's name in an expression's text.
static FUNCTION_CALL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\b([a-z_][a-z0-9_]*)\s*\(").expect("a valid pattern"));

/// Functions whose value differs per row: a default calling one is evaluated for every
/// existing row, which rewrites the table.
const VOLATILE: &[&str] = &[
    "random",
    "gen_random_uuid",
    "uuid_generate_v1",
    "uuid_generate_v1mc",
    "uuid_generate_v4",
    "clock_timestamp",
    "timeofday",
    "nextval",
];

declare_rule! {
    /// ## What it does
    /// Reports `ALTER TABLE … ADD COLUMN` on a table that exists before the migration when
    /// the column's default is volatile (`gen_random_uuid()`, `random()`,
    /// `clock_timestamp()`, `nextval(…)`, a `serial` type).
    ///
    /// ## Why is this bad?
    /// A constant default is stored once in the catalog (PostgreSQL 11 and later), but a
    /// volatile one must be computed for each existing row: PostgreSQL rewrites the whole
    /// table while holding an ACCESS EXCLUSIVE lock, blocking reads and writes until it is
    /// done.
    ///
    /// ## Example
    /// ```sql
    /// alter table public.events add column public_id uuid default gen_random_uuid();
    /// ```
    ///
    /// Use instead: add the column without a default, set the default (it applies to new
    /// rows only), then backfill existing rows in batches.
    /// ```sql
    /// alter table public.events add column public_id uuid;
    /// alter table public.events alter column public_id set default gen_random_uuid();
    /// -- later, in batches: update public.events set public_id = gen_random_uuid() where …;
    /// ```
    ///
    /// ## How to suppress
    /// `-- schemagate-ignore adding-field-with-default: <reason>` before the statement, e.g.
    /// for a small table.
    pub struct AddingFieldWithDefault {
        id: "adding-field-with-default",
        severity: Warning,
        category: Safety,
        summary: "A column with a volatile default is added to an existing table (a table rewrite)",
    }
}

impl Rule for AddingFieldWithDefault {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Vec<Finding>) {
        for alter in existing_alters(cx) {
            let AlterTableOperation::AddColumn { column_def, .. } = alter.operation else {
                continue;
            };
            let volatile = column_def.options.iter().find_map(|o| match &o.option {
                ColumnOption::Default(expr) => {
                    let text = expr.to_string();
                    FUNCTION_CALL
                        .captures_iter(&text)
                        .map(|c| c[1].to_ascii_lowercase())
                        .find(|name| VOLATILE.contains(&name.as_str()))
                        .map(|name| format!("{name}()"))
                }
                _ => None,
            });
            let data_type = column_def.data_type.to_string();
            let Some(cause) = volatile.or_else(|| {
                is_serial(&data_type).then(|| format!("type {}", data_type.to_lowercase()))
            }) else {
                continue;
            };
            let column = ident_name(&column_def.name);
            out.push(
                alter.finding(
                    cx,
                    &Self::META,
                    format!(
                        "`{}.{column}` is added with a volatile default ({cause}): PostgreSQL rewrites the whole table under an exclusive lock",
                        alter.table
                    ),
                )
                .with_help("add the column without a default, then `alter column … set default …` (for new rows) and backfill existing rows in batches")
                .with_object(format!("{}.{column}", alter.table)),
            );
        }
    }
}
