use crate::declare_rule;
use crate::findings::Finding;
use crate::rules::{LintContext, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports a table without a primary key in an exposed schema (or, in a project that
    /// exposes none, in any schema it owns). Partitions of a table with a primary key
    /// inherit it and are not reported.
    ///
    /// ## Why is this bad?
    /// Without a primary key rows cannot be identified: PostgREST cannot update or delete a
    /// single row reliably, Supabase Realtime cannot send old records, logical replication
    /// cannot replicate updates and deletes, and duplicates creep in.
    ///
    /// ## Example
    /// ```sql
    /// create table public.events (name text, at timestamptz);
    /// ```
    ///
    /// Use instead:
    /// ```sql
    /// create table public.events (
    ///   id bigint generated always as identity primary key,
    ///   name text,
    ///   at timestamptz
    /// );
    /// ```
    ///
    /// ## How to suppress
    /// `-- schemagate-ignore no-primary-key: <reason>` before the `create table`.
    pub struct NoPrimaryKey {
        id: "no-primary-key",
        severity: Info,
        category: Performance,
        summary: "A table has no primary key",
    }
}

impl Rule for NoPrimaryKey {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Vec<Finding>) {
        for table in cx.model.tables.values() {
            let inherited = table
                .partition_of
                .as_ref()
                .and_then(|parent| cx.model.table(parent))
                .is_some_and(|parent| parent.primary_key.is_some());
            // Of a table only the fallback read, the keys are unknown.
            if table.primary_key.is_some()
                || !table.parsed
                || inherited
                || !cx.is_application_schema(&table.schema)
            {
                continue;
            }
            out.push(
                cx.finding_at(
                    &Self::META,
                    table.history.created,
                    format!("table `{}` has no primary key", table.name),
                )
                .with_help("add one, e.g. `id bigint generated always as identity primary key`, or `primary key (…)` over the columns that identify a row")
                .with_object(&table.name),
            );
        }
    }
}
