use super::existing_drops;
use crate::declare_rule;
use crate::findings::Finding;
use crate::migrations::Migration;
use crate::model::qualified;
use crate::rules::{LintContext, Rule, RuleMeta};
use crate::sql::{Statement, TreeRef};
use sqlparser::ast::{ObjectType, Statement as Ast};

declare_rule! {
    /// ## What it does
    /// Reports `DROP INDEX` without `CONCURRENTLY` of an index that exists before the
    /// migration, unless the same migration then drops the index's table.
    ///
    /// ## Why is this bad?
    /// A plain `DROP INDEX` takes an ACCESS EXCLUSIVE lock on the index's table. It is quick
    /// once it has the lock, but while it waits for running queries to finish, every new
    /// query on the table queues behind it.
    ///
    /// ## Example
    /// ```sql
    /// drop index public.orders_status_idx;
    /// ```
    ///
    /// Use instead: drop it concurrently, in a migration of its own (it cannot run in a
    /// transaction).
    /// ```sql
    /// drop index concurrently public.orders_status_idx;
    /// ```
    ///
    /// ## How to suppress
    /// `-- schemagate-ignore require-concurrent-index-deletion: <reason>` before the
    /// statement.
    pub struct RequireConcurrentIndexDeletion {
        id: "require-concurrent-index-deletion",
        severity: Warning,
        category: Safety,
        summary: "An existing index is dropped without CONCURRENTLY, queueing queries on its table",
    }
}

impl Rule for RequireConcurrentIndexDeletion {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Vec<Finding>) {
        // sqlparser does not parse `DROP INDEX CONCURRENTLY`: every parsed drop is a plain one.
        for drop in existing_drops(cx, ObjectType::Index) {
            if drop_table_follows(
                drop.migration,
                drop.statement,
                cx.fresh.table_of_index(&drop.name),
            ) {
                continue;
            }
            let index = drop.name;
            out.push(
                cx.finding(
                    &Self::META,
                    drop.migration,
                    drop.statement,
                    format!("index `{index}` is dropped without CONCURRENTLY: queries on its table queue behind the lock"),
                )
                .with_help("`drop index concurrently …`, in a migration of its own (it cannot run in a transaction)")
                .with_object(index),
            );
        }
    }
}

/// Does the same migration drop the index's table after `statement`? Then the table's
/// drop takes the lock anyway (and `ban-drop-table` reports it).
fn drop_table_follows(migration: &Migration, statement: &Statement, table: Option<&str>) -> bool {
    let Some(table) = table else {
        return false;
    };
    migration
        .statements
        .iter()
        .filter(|later| later.applies && later.index > statement.index)
        .any(|later| {
            matches!(
                later.ast(),
                Some(TreeRef::Other(Ast::Drop { object_type: ObjectType::Table, names, .. }))
                    if names.iter().any(|n| qualified(n) == table)
            )
        })
}
