use super::{existing_alters, LOCK_TIMEOUT_HINT};
use crate::declare_rule;
use crate::findings::Finding;
use crate::model::ident_name;
use crate::rules::{LintContext, Rule, RuleMeta};
use sqlparser::ast::{AlterColumnOperation, AlterTableOperation, Expr, TableConstraint};

declare_rule! {
    /// ## What it does
    /// Reports `ALTER TABLE … ALTER COLUMN … SET NOT NULL` on a table that exists before
    /// the migration.
    ///
    /// ## Why is this bad?
    /// PostgreSQL scans every row to prove there is no NULL while holding an ACCESS EXCLUSIVE
    /// lock, so the table can be neither read nor written during the scan; and the migration
    /// fails if a NULL is found.
    ///
    /// ## Example
    /// ```sql
    /// alter table public.orders alter column customer_id set not null;
    /// ```
    ///
    /// Use instead: prove it with a check constraint added `NOT VALID` and validated
    /// (which does not block writes); since PostgreSQL 12, `SET NOT NULL` then uses it and
    /// skips the scan.
    /// ```sql
    /// alter table public.orders add constraint orders_customer_id_not_null check (customer_id is not null) not valid;
    /// alter table public.orders validate constraint orders_customer_id_not_null;
    /// alter table public.orders alter column customer_id set not null;
    /// alter table public.orders drop constraint orders_customer_id_not_null;
    /// ```
    ///
    /// ## How to suppress
    /// `-- schemagate-ignore setting-not-nullable-field: <reason>` before the statement.
    pub struct SettingNotNullableField {
        id: "setting-not-nullable-field",
        severity: Warning,
        category: Safety,
        summary: "SET NOT NULL on an existing table scans it under an exclusive lock",
    }
}

impl Rule for SettingNotNullableField {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Vec<Finding>) {
        // `check (c is not null)` constraints so far: (table, column) → (name, validated).
        let mut proofs: Vec<(String, String, Option<String>, bool)> = Vec::new();
        for alter in existing_alters(cx) {
            let column_name = match alter.operation {
                AlterTableOperation::AddConstraint {
                    constraint: TableConstraint::Check(check),
                    not_valid,
                } => {
                    if let Expr::IsNotNull(inner) = check.expr.as_ref() {
                        if let Expr::Identifier(column) = inner.as_ref() {
                            proofs.push((
                                alter.table.clone(),
                                ident_name(column),
                                check.name.as_ref().map(ident_name),
                                !not_valid,
                            ));
                        }
                    }
                    continue;
                }
                AlterTableOperation::ValidateConstraint { name } => {
                    let name = ident_name(name);
                    for proof in proofs.iter_mut() {
                        if proof.0 == alter.table && proof.2.as_deref() == Some(name.as_str()) {
                            proof.3 = true;
                        }
                    }
                    continue;
                }
                AlterTableOperation::AlterColumn {
                    column_name,
                    op: AlterColumnOperation::SetNotNull,
                } => column_name,
                _ => continue,
            };
            let column = ident_name(column_name);
            // PostgreSQL 12 and later skip the scan when a valid check proves it.
            let proven = proofs
                .iter()
                .any(|(table, c, _, valid)| *valid && *table == alter.table && *c == column);
            if proven {
                continue;
            }
            out.push(
                alter.finding(
                    cx,
                    &Self::META,
                    format!(
                        "`{}.{column}` is set NOT NULL: every row is scanned while reads and writes wait",
                        alter.table
                    ),
                )
                .with_help(format!(
                    "first add `check ({column} is not null) not valid` and validate it; then `set not null` skips the scan; {LOCK_TIMEOUT_HINT}"
                ))
                .with_object(format!("{}.{column}", alter.table)),
            );
        }
    }
}
