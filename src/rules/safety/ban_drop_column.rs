use super::existing_alters;
use crate::declare_rule;
use crate::findings::Finding;
use crate::model::ident_name;
use crate::rules::{LintContext, Rule, RuleMeta};
use sqlparser::ast::AlterTableOperation;

declare_rule! {
    /// ## What it does
    /// Reports `ALTER TABLE … DROP COLUMN` on a table that exists before the migration.
    ///
    /// ## Why is this bad?
    /// The column's data is gone for good, and clients still running the previous release
    /// that select or insert it fail from the moment the migration commits.
    ///
    /// ## Example
    /// ```sql
    /// alter table public.profiles drop column legacy_score;
    /// ```
    ///
    /// Use instead: stop using the column in every client first, release, and drop it in a
    /// later migration, with a backup if the data may be needed. Then suppress the finding
    /// with the reason.
    /// ```sql
    /// -- schemagate-ignore ban-drop-column: unused since release 42, backed up
    /// alter table public.profiles drop column legacy_score;
    /// ```
    ///
    /// ## How to suppress
    /// `-- schemagate-ignore ban-drop-column: <reason>` before the statement.
    pub struct BanDropColumn {
        id: "ban-drop-column",
        severity: Warning,
        category: Safety,
        summary: "A column of an existing table is dropped (data loss, clients may break)",
    }
}

impl Rule for BanDropColumn {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Vec<Finding>) {
        for alter in existing_alters(cx) {
            let AlterTableOperation::DropColumn { column_names, .. } = alter.operation else {
                continue;
            };
            for name in column_names {
                let column = ident_name(name);
                out.push(
                    alter.finding(
                        cx,
                        &Self::META,
                        format!(
                            "`{}.{column}` is dropped: its data is lost and clients that still use it fail",
                            alter.table
                        ),
                    )
                    .with_help("make sure no deployed client uses the column (release first, drop later) and that the data is not needed, then suppress with the reason")
                    .with_object(format!("{}.{column}", alter.table)),
                );
            }
        }
    }
}
