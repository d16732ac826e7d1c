use crate::declare_rule;
use crate::findings::Finding;
use crate::model::{base_of, sql_name, Index, IndexKind};
use crate::rules::{LintContext, Rule, RuleMeta};
use std::collections::BTreeMap;

declare_rule! {
    /// ## What it does
    /// Reports an index with the same table, columns (in order, with their operator classes
    /// and sort order), predicate and access method as another, unique or not. Indexes
    /// behind primary key and unique constraints count; of each group the primary key's
    /// index, else a constraint's, else a unique one, else the oldest is kept and the others
    /// are reported.
    ///
    /// ## Why is this bad?
    /// The second index is never needed for reads, but every insert and update maintains
    /// both, and both take memory and disk.
    ///
    /// ## Example
    /// ```sql
    /// create table public.users (email text unique);
    /// create unique index users_email_idx on public.users (email);
    /// ```
    ///
    /// Use instead: keep one of them.
    /// ```sql
    /// drop index public.users_email_idx;
    /// ```
    ///
    /// ## How to suppress
    /// `-- schemagate-ignore duplicate-index: <reason>` before the second index.
    pub struct DuplicateIndex {
        id: "duplicate-index",
        severity: Warning,
        category: Performance,
        summary: "Two indexes on a table are identical",
    }
}

impl Rule for DuplicateIndex {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Vec<Finding>) {
        // Uniqueness is not part of the key: a plain index beside a unique one on the same
        // columns serves no read the unique one does not.
        type Key<'a> = (&'a str, &'a [String], &'a str, Option<&'a str>, &'a str);
        let mut groups: BTreeMap<Key<'_>, Vec<&Index>> = BTreeMap::new();
        for index in cx.model.indexes.values() {
            let key = (
                index.table.as_str(),
                index.columns.as_slice(),
                index.element_options.as_str(),
                index.predicate.as_deref(),
                index.method.as_str(),
            );
            groups.entry(key).or_default().push(index);
        }
        for mut same in groups.into_values().filter(|g| g.len() > 1) {
            // The index kept is the one backing the primary key, else a constraint, else a
            // unique one, else the oldest (as `inspect` decides, so both report the same
            // index).
            same.sort_by_key(|i| {
                (
                    i.kind != IndexKind::PrimaryKey,
                    i.kind == IndexKind::Index,
                    !i.unique,
                    i.history.created,
                )
            });
            let kept = same[0];
            for duplicate in &same[1..] {
                let help = if duplicate.kind == IndexKind::Index {
                    format!("drop index {};", sql_name(&duplicate.name))
                } else {
                    "drop one of the two constraints".to_string()
                };
                out.push(
                    cx.finding_at(
                        &Self::META,
                        duplicate.history.created,
                        format!(
                            "index `{}` duplicates `{}` on `{}` ({})",
                            duplicate.name,
                            kept.name,
                            duplicate.table,
                            duplicate.columns.join(", ")
                        ),
                    )
                    .with_help(help)
                    .with_object(format!(
                        "{}.{}",
                        duplicate.table,
                        base_of(&duplicate.name)
                    )),
                );
            }
        }
    }
}
