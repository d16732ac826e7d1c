use crate::declare_rule;
use crate::findings::Finding;
use crate::model::{ident_name, sql_name, ForeignKey, Index};
use crate::rules::{LintContext, Rule, RuleMeta};
use crate::sql::TreeRef;
use sqlparser::ast::{
    AlterTableOperation, ColumnDef, ColumnOption, Ident, Spanned, TableConstraint,
};
use sqlparser::tokenizer::Span;

declare_rule! {
    /// ## What it does
    /// Reports a foreign key whose columns are not the leading columns of any index on its
    /// table. Primary keys and unique constraints count as indexes; partial and expression
    /// indexes do not. The leading columns may be in any order: PostgreSQL uses them all for
    /// the equality lookups a foreign key needs.
    ///
    /// ## Why is this bad?
    /// Deleting or updating a referenced row makes PostgreSQL look up the referencing rows.
    /// Without an index that is a sequential scan of the referencing table for every row
    /// changed, and joins along the key (what PostgREST embedding does) scan too.
    ///
    /// ## Example
    /// ```sql
    /// create table public.comments (
    ///   id bigint primary key,
    ///   post_id bigint references public.posts (id)
    /// );
    /// ```
    ///
    /// Use instead:
    /// ```sql
    /// create index comments_post_id_idx on public.comments (post_id);
    /// ```
    ///
    /// ## How to suppress
    /// `-- schemagate-ignore unindexed-foreign-key: <reason>` before the statement that
    /// adds the foreign key (e.g. for a tiny lookup table).
    pub struct UnindexedForeignKey {
        id: "unindexed-foreign-key",
        severity: Warning,
        category: Performance,
        summary: "A foreign key has no index on its columns",
    }
}

impl Rule for UnindexedForeignKey {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Vec<Finding>) {
        for table in cx.model.tables.values() {
            let indexes: Vec<&Index> = cx.model.indexes_on(&table.name).collect();
            // Keys over the same columns are one problem: one index serves them all.
            let mut reported: Vec<&[String]> = Vec::new();
            for fk in &table.foreign_keys {
                if fk.columns.is_empty()
                    || indexes.iter().any(|i| covers(i, fk))
                    || reported.contains(&fk.columns.as_slice())
                {
                    continue;
                }
                reported.push(&fk.columns);
                let columns = fk.columns.join(", ");
                out.push(
                    cx.finding_at_element(
                        &Self::META,
                        fk.history.created,
                        |statement| foreign_key_span(statement, &fk.columns),
                        format!(
                            "foreign key `{}` on `{}` ({columns}) → `{}` has no index: deletes in `{}` and joins along the key scan the whole table",
                            fk.name, table.name, fk.references, fk.references
                        ),
                    )
                    .with_help(format!(
                        "create index on {} ({columns});",
                        sql_name(&table.name)
                    ))
                    .with_object(format!("{}.{}", table.name, fk.columns.join(","))),
                );
            }
        }
    }
}

/// Are the key's columns the leading columns of this full, plain-column index?
fn covers(index: &Index, fk: &ForeignKey) -> bool {
    if index.is_partial() || index.columns.len() < fk.columns.len() {
        return false;
    }
    let leading = &index.columns[..fk.columns.len()];
    fk.columns.iter().all(|c| leading.contains(c))
}

/// Where a `CREATE TABLE` or `ALTER TABLE` declares the foreign key over `columns`: the
/// column definition of an inline `references`, else the table constraint.
fn foreign_key_span(statement: TreeRef<'_>, columns: &[String]) -> Option<Span> {
    let names = |idents: &[Ident]| idents.iter().map(ident_name).eq(columns.iter().cloned());
    let column_span = |column: &ColumnDef| {
        let inline = column
            .options
            .iter()
            .any(|o| matches!(o.option, ColumnOption::ForeignKey(_)));
        (inline && names(std::slice::from_ref(&column.name))).then(|| column.span())
    };
    let constraint_span = |constraint: &TableConstraint| match constraint {
        TableConstraint::ForeignKey(fk) if names(&fk.columns) => Some(constraint.span()),
        _ => None,
    };
    match statement {
        TreeRef::CreateTable(create) => create
            .columns
            .iter()
            .find_map(column_span)
            .or_else(|| create.constraints.iter().find_map(constraint_span)),
        TreeRef::AlterTable(alter) => alter.operations.iter().find_map(|op| match op {
            AlterTableOperation::AddColumn { column_def, .. } => column_span(column_def),
            AlterTableOperation::AddConstraint { constraint, .. } => constraint_span(constraint),
            _ => None,
        }),
        _ => None,
    }
}
