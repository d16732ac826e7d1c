use super::{existing_alters, LOCK_TIMEOUT_HINT};
use crate::declare_rule;
use crate::findings::Finding;
use crate::model::{ident_name, index_column_name};
use crate::rules::{LintContext, Rule, RuleMeta};
use sqlparser::ast::{visit_expressions, AlterTableOperation, Expr, TableConstraint};
use std::ops::ControlFlow;

declare_rule! {
    /// ## What it does
    /// Reports `ALTER TABLE … ADD CONSTRAINT` of a `CHECK` or `FOREIGN KEY` constraint
    /// without `NOT VALID` on a table that exists before the migration.
    ///
    /// ## Why is this bad?
    /// Adding the constraint checks every existing row while holding a lock: ACCESS
    /// EXCLUSIVE for a check constraint (no reads or writes), SHARE ROW EXCLUSIVE on both
    /// tables for a foreign key (no writes). On a large table that is an outage for as long
    /// as the scan takes.
    ///
    /// ## Example
    /// ```sql
    /// alter table public.orders add constraint orders_total_positive check (total >= 0);
    /// ```
    ///
    /// Use instead: add it `NOT VALID` (new rows are checked at once, no scan), then
    /// validate it, which scans under a lock that lets reads and writes go on.
    /// ```sql
    /// alter table public.orders add constraint orders_total_positive check (total >= 0) not valid;
    /// alter table public.orders validate constraint orders_total_positive;
    /// ```
    ///
    /// ## How to suppress
    /// `-- schemagate-ignore constraint-missing-not-valid: <reason>` before the statement.
    pub struct ConstraintMissingNotValid {
        id: "constraint-missing-not-valid",
        severity: Warning,
        category: Safety,
        summary: "A CHECK or FOREIGN KEY constraint is added to an existing table without NOT VALID",
    }
}

impl Rule for ConstraintMissingNotValid {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Vec<Finding>) {
        for alter in existing_alters(cx) {
            let AlterTableOperation::AddConstraint {
                constraint,
                not_valid: false,
            } = alter.operation
            else {
                continue;
            };
            let (kind, lock) = match constraint {
                TableConstraint::Check(_) => ("check", "an ACCESS EXCLUSIVE lock"),
                TableConstraint::ForeignKey(_) => {
                    ("foreign key", "a lock that blocks writes to both tables")
                }
                _ => continue,
            };
            let name = constraint_name(constraint);
            out.push(
                alter.finding(
                    cx,
                    &Self::META,
                    format!(
                        "{kind} constraint {} on `{}` is added without NOT VALID: every existing row is checked under {lock}",
                        name.as_deref().map_or("(unnamed)".to_string(), |n| format!("`{n}`")),
                        alter.table
                    ),
                )
                .with_help(format!(
                    "add it `not valid`, then `alter table … validate constraint …` (in a later statement or migration); {LOCK_TIMEOUT_HINT}"
                ))
                .with_object(constraint_object(&alter.table, constraint)),
            );
        }
    }
}

/// The object a finding about an added constraint names: `table.<name>`, or for an unnamed
/// one the name PostgreSQL chooses (`<table>_<columns>_fkey`, `_key`, `_pkey`,
/// `<table>_<first column>_check`), so two unnamed constraints on one table differ.
pub(super) fn constraint_object(table: &str, constraint: &TableConstraint) -> String {
    let base = crate::model::base_of(table);
    let name = constraint_name(constraint).unwrap_or_else(|| {
        let joined = |columns: Vec<String>| columns.join("_");
        match constraint {
            TableConstraint::ForeignKey(fk) => {
                format!(
                    "{base}_{}_fkey",
                    joined(fk.columns.iter().map(ident_name).collect())
                )
            }
            TableConstraint::Unique(unique) => format!(
                "{base}_{}_key",
                joined(unique.columns.iter().map(index_column_name).collect())
            ),
            TableConstraint::PrimaryKey(_) => format!("{base}_pkey"),
            TableConstraint::Check(check) => match first_column(&check.expr) {
                Some(column) => format!("{base}_{column}_check"),
                None => format!("{base}_check"),
            },
            _ => format!("{base}_constraint"),
        }
    });
    format!("{table}.{name}")
}

/// The first column an expression references.
fn first_column(expr: &Expr) -> Option<String> {
    let mut found = None;
    let _ = visit_expressions(expr, |e| match e {
        Expr::Identifier(ident) => {
            found = Some(ident_name(ident));
            ControlFlow::Break(())
        }
        Expr::CompoundIdentifier(parts) => {
            found = parts.last().map(ident_name);
            ControlFlow::Break(())
        }
        _ => ControlFlow::Continue(()),
    });
    found
}

/// The constraint's name as written, if it has one.
pub(super) fn constraint_name(constraint: &TableConstraint) -> Option<String> {
    let name = match constraint {
        TableConstraint::Check(c) => c.name.as_ref(),
        TableConstraint::ForeignKey(c) => c.name.as_ref(),
        TableConstraint::Unique(c) => c.name.as_ref(),
        TableConstraint::PrimaryKey(c) => c.name.as_ref(),
        _ => None,
    };
    name.map(crate::model::ident_name)
}
