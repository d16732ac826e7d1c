use super::existing_drops;
use crate::declare_rule;
use crate::findings::Finding;
use crate::rules::{LintContext, Rule, RuleMeta};
use sqlparser::ast::ObjectType;

declare_rule! {
    /// ## What it does
    /// Reports `DROP TABLE` of a table that exists before the migration.
    ///
    /// ## Why is this bad?
    /// Its rows are gone for good, and every client that still reads or writes it fails
    /// from the moment the migration commits.
    ///
    /// ## Example
    /// ```sql
    /// drop table public.old_invoices;
    /// ```
    ///
    /// Use instead: stop using the table in every client first, keep a backup, and drop it
    /// in a later release with a suppression that says so.
    /// ```sql
    /// -- schemagate-ignore ban-drop-table: replaced by invoices in release 12, archived
    /// drop table public.old_invoices;
    /// ```
    ///
    /// ## How to suppress
    /// `-- schemagate-ignore ban-drop-table: <reason>` before the statement.
    pub struct BanDropTable {
        id: "ban-drop-table",
        severity: Warning,
        category: Safety,
        summary: "An existing table is dropped (data loss, clients may break)",
    }
}

impl Rule for BanDropTable {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Vec<Finding>) {
        for drop in existing_drops(cx, ObjectType::Table) {
            let table = drop.name;
            out.push(
                cx.finding(
                    &Self::META,
                    drop.migration,
                    drop.statement,
                    format!("`{table}` is dropped: its rows are lost and clients that still use it fail"),
                )
                .with_help("make sure no deployed client uses the table and that its data is archived, then suppress with the reason")
                .with_object(table),
            );
        }
    }
}
