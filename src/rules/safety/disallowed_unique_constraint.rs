use super::constraint_missing_not_valid::{constraint_name, constraint_object};
use super::{existing_alters, LOCK_TIMEOUT_HINT};
use crate::declare_rule;
use crate::findings::Finding;
use crate::rules::{LintContext, Rule, RuleMeta};
use sqlparser::ast::{AlterTableOperation, TableConstraint};

declare_rule! {
    /// ## What it does
    /// Reports `ALTER TABLE … ADD CONSTRAINT … UNIQUE` or `PRIMARY KEY` on a table that
    /// exists before the migration, unless it adopts an existing index (`USING INDEX`).
    ///
    /// ## Why is this bad?
    /// The constraint builds its index while holding an ACCESS EXCLUSIVE lock: nothing can
    /// read or write the table until every row is indexed.
    ///
    /// ## Example
    /// ```sql
    /// alter table public.users add constraint users_email_key unique (email);
    /// ```
    ///
    /// Use instead: build the index concurrently (in its own migration, outside a
    /// transaction), then turn it into the constraint, which is instant.
    /// ```sql
    /// create unique index concurrently users_email_key on public.users (email);
    /// alter table public.users add constraint users_email_key unique using index users_email_key;
    /// ```
    ///
    /// ## How to suppress
    /// `-- schemagate-ignore disallowed-unique-constraint: <reason>` before the statement.
    pub struct DisallowedUniqueConstraint {
        id: "disallowed-unique-constraint",
        severity: Warning,
        category: Safety,
        summary: "A UNIQUE or PRIMARY KEY constraint builds its index on an existing table under an exclusive lock",
    }
}

impl Rule for DisallowedUniqueConstraint {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Vec<Finding>) {
        for alter in existing_alters(cx) {
            let AlterTableOperation::AddConstraint { constraint, .. } = alter.operation else {
                continue;
            };
            let kind = match constraint {
                TableConstraint::Unique(_) => "unique",
                TableConstraint::PrimaryKey(_) => "primary key",
                _ => continue,
            };
            let name = constraint_name(constraint);
            out.push(
                alter.finding(
                    cx,
                    &Self::META,
                    format!(
                        "{kind} constraint {} on `{}` builds its index while reads and writes wait",
                        name.as_deref().map_or("(unnamed)".to_string(), |n| format!("`{n}`")),
                        alter.table
                    ),
                )
                .with_help(format!(
                    "`create unique index concurrently …` first, then `add constraint … {kind} using index …`; {LOCK_TIMEOUT_HINT}"
                ))
                .with_object(constraint_object(&alter.table, constraint)),
            );
        }
    }
}
