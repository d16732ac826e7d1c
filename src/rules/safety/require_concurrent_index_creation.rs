use super::{applied, LOCK_TIMEOUT_HINT};
use crate::declare_rule;
use crate::findings::Finding;
use crate::model::{index_name, qualified};
use crate::rules::{LintContext, Rule, RuleMeta};
use crate::sql::TreeRef;

declare_rule! {
    /// ## What it does
    /// Reports `CREATE INDEX` without `CONCURRENTLY` on a table that exists before the
    /// migration.
    ///
    /// ## Why is this bad?
    /// A plain `CREATE INDEX` holds a SHARE lock for the whole build: reads go on, but every
    /// insert, update and delete waits until the index is complete, which on a large table
    /// can be minutes.
    ///
    /// ## Example
    /// ```sql
    /// create index orders_customer_id_idx on public.orders (customer_id);
    /// ```
    ///
    /// Use instead: build it concurrently. It cannot run inside a transaction, so give it a
    /// migration of its own (schemagate applies such statements outside the transaction, as
    /// psql does).
    /// ```sql
    /// create index concurrently orders_customer_id_idx on public.orders (customer_id);
    /// ```
    ///
    /// ## How to suppress
    /// `-- schemagate-ignore require-concurrent-index-creation: <reason>` before the
    /// statement, e.g. for a small table.
    pub struct RequireConcurrentIndexCreation {
        id: "require-concurrent-index-creation",
        severity: Warning,
        category: Safety,
        summary: "An index on an existing table is built without CONCURRENTLY, blocking writes",
    }
}

impl Rule for RequireConcurrentIndexCreation {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Vec<Finding>) {
        for (m, migration, s, statement) in applied(cx.set) {
            let Some(TreeRef::CreateIndex(create)) = statement.ast() else {
                continue;
            };
            let table = qualified(&create.table_name);
            if create.concurrently || cx.fresh.is_fresh(&table, m, s) {
                continue;
            }
            // The name given, else the one PostgreSQL chooses (table and columns), so two
            // unnamed indexes on one table are two objects.
            let object = index_name(create);
            let index = create.name.as_ref().map(|_| object.clone());
            // `if not exists` of an index an earlier statement made builds nothing.
            if create.if_not_exists
                && index
                    .as_ref()
                    .is_some_and(|i| cx.fresh.created_before(i, m, s))
            {
                continue;
            }
            out.push(
                cx.finding(
                    &Self::META,
                    migration,
                    statement,
                    format!(
                        "index {}on `{table}` is built without CONCURRENTLY: writes to the table wait for the whole build",
                        index.as_deref().map_or(String::new(), |i| format!("`{i}` "))
                    ),
                )
                .with_help(format!(
                    "`create index concurrently …`, in a migration of its own (it cannot run in a transaction); {LOCK_TIMEOUT_HINT}"
                ))
                .with_object(object),
            );
        }
    }
}
