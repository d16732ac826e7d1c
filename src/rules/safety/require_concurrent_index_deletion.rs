use super::existing_drops;
use crate::declare_rule;
use crate::findings::Finding;
use crate::rules::{LintContext, Rule, RuleMeta};
use sqlparser::ast::ObjectType;

declare_rule! {
    /// ## What it does
    /// Reports `DROP INDEX` without `CONCURRENTLY` of an index that exists before the
    /// migration.
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
