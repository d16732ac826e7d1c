use super::applied;
use crate::declare_rule;
use crate::findings::Finding;
use crate::model::{ident_name, qualified};
use crate::rules::{LintContext, Rule, RuleMeta};
use crate::sql::TreeRef;
use sqlparser::ast::{AlterColumnOperation, AlterTableOperation, DataType, Ident, TimezoneInfo};

declare_rule! {
    /// ## What it does
    /// Reports columns declared or changed to `timestamp` (without time zone).
    ///
    /// ## Why is this bad?
    /// A `timestamp` stores a wall-clock reading with no zone: the same instant written by
    /// clients or servers in two zones is stored as two different values, and `now()` is
    /// converted through the session's `TimeZone` on the way in. `timestamptz` stores the
    /// instant itself, takes the same 8 bytes, and shows it in each reader's zone.
    ///
    /// ## Example
    /// ```sql
    /// create table public.events (id bigint primary key, happened_at timestamp not null);
    /// ```
    ///
    /// Use instead:
    /// ```sql
    /// create table public.events (id bigint primary key, happened_at timestamptz not null);
    /// ```
    ///
    /// ## How to suppress
    /// `-- schemagate-ignore prefer-timestamptz: <reason>` before the statement (e.g. a
    /// local calendar time that must not follow zones).
    pub struct PreferTimestamptz {
        id: "prefer-timestamptz",
        severity: Info,
        category: Safety,
        summary: "A column is `timestamp` without time zone",
    }
}

impl Rule for PreferTimestamptz {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Vec<Finding>) {
        for (_, migration, _, statement) in applied(cx.set) {
            let (table, columns): (String, Vec<(&Ident, &DataType)>) = match statement.ast() {
                Some(TreeRef::CreateTable(create)) => (
                    qualified(&create.name),
                    create
                        .columns
                        .iter()
                        .map(|c| (&c.name, &c.data_type))
                        .collect(),
                ),
                Some(TreeRef::AlterTable(alter)) => (
                    qualified(&alter.name),
                    alter
                        .operations
                        .iter()
                        .filter_map(|op| match op {
                            AlterTableOperation::AddColumn { column_def, .. } => {
                                Some((&column_def.name, &column_def.data_type))
                            }
                            AlterTableOperation::AlterColumn {
                                column_name,
                                op: AlterColumnOperation::SetDataType { data_type, .. },
                            } => Some((column_name, data_type)),
                            _ => None,
                        })
                        .collect(),
                ),
                _ => continue,
            };
            for (name, data_type) in columns {
                let naive = matches!(
                    data_type,
                    DataType::Timestamp(_, TimezoneInfo::None | TimezoneInfo::WithoutTimeZone)
                );
                if !naive {
                    continue;
                }
                let column = ident_name(name);
                out.push(
                    cx.finding_on_element(
                        &Self::META,
                        migration,
                        statement,
                        name.span,
                        format!("`{table}.{column}` is `timestamp` without time zone: the same instant from two zones is stored as two values"),
                    )
                    .with_help("use `timestamptz` (same size; it stores the instant and shows it in the reader's zone)")
                    .with_object(format!("{table}.{column}")),
                );
            }
        }
    }
}
