use super::{existing_alters, LOCK_TIMEOUT_HINT};
use crate::declare_rule;
use crate::findings::Finding;
use crate::rules::{LintContext, Rule, RuleMeta};
use sqlparser::ast::{AlterTableOperation, TableConstraint};

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
                .with_object(format!(
                    "{}.{}",
                    alter.table,
                    name.unwrap_or_else(|| kind.replace(' ', "_"))
                )),
            );
        }
    }
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
