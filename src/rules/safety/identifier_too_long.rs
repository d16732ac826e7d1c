use super::applied;
use super::constraint_missing_not_valid::constraint_name;
use crate::declare_rule;
use crate::findings::Finding;
use crate::rules::{LintContext, Rule, RuleMeta};
use crate::sql::TreeRef;
use sqlparser::ast::{AlterTableOperation, Ident, ObjectName, Statement};

/// PostgreSQL keeps the first 63 bytes of an identifier (NAMEDATALEN - 1).
const MAX_BYTES: usize = 63;

declare_rule! {
    /// ## What it does
    /// Reports a table, column, constraint, index, view, function or policy created with a
    /// name longer than 63 bytes.
    ///
    /// ## Why is this bad?
    /// PostgreSQL silently truncates identifiers to 63 bytes (it only prints a notice). The
    /// object then has another name than the one in the migration: later statements and
    /// clients using the full name fail, and two long names with the same beginning collide.
    ///
    /// ## Example
    /// ```sql
    /// create index organization_membership_invitations_by_organization_and_email_idx
    ///     on public.invitations (organization_id, email);
    /// ```
    ///
    /// Use instead: a shorter name.
    /// ```sql
    /// create index invitations_org_email_idx on public.invitations (organization_id, email);
    /// ```
    ///
    /// ## How to suppress
    /// `-- schemagate-ignore identifier-too-long: <reason>` before the statement.
    pub struct IdentifierTooLong {
        id: "identifier-too-long",
        severity: Warning,
        category: Safety,
        summary: "An identifier is longer than 63 bytes and PostgreSQL truncates it",
    }
}

impl Rule for IdentifierTooLong {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Vec<Finding>) {
        for (_, migration, _, statement) in applied(cx.set) {
            let Some(ast) = statement.ast() else {
                continue;
            };
            for name in created_names(ast) {
                if name.len() <= MAX_BYTES {
                    continue;
                }
                let mut kept = MAX_BYTES;
                while !name.is_char_boundary(kept) {
                    kept -= 1;
                }
                out.push(
                    cx.finding(
                        &Self::META,
                        migration,
                        statement,
                        format!(
                            "`{name}` is {} bytes long: PostgreSQL truncates it to `{}`",
                            name.len(),
                            &name[..kept]
                        ),
                    )
                    .with_help("use a name of at most 63 bytes")
                    .with_object(name.clone()),
                );
            }
        }
    }
}

/// The names a statement gives to new objects, as written.
fn created_names(statement: TreeRef<'_>) -> Vec<String> {
    let last = |name: &ObjectName| name.0.last().map(|part| part.to_string());
    let ident = |ident: &Ident| Some(ident.value.clone());
    let mut names: Vec<Option<String>> = Vec::new();
    match statement {
        TreeRef::CreateTable(create) => {
            names.push(last(&create.name));
            names.extend(create.columns.iter().map(|c| ident(&c.name)));
            names.extend(create.constraints.iter().map(constraint_name));
        }
        TreeRef::CreateIndex(create) => names.extend(create.name.as_ref().map(last)),
        TreeRef::Other(Statement::CreateView(create)) => names.push(last(&create.name)),
        TreeRef::CreateFunction(create) => names.push(last(&create.name)),
        TreeRef::CreatePolicy(policy) => names.push(ident(&policy.name)),
        TreeRef::AlterTable(alter) => {
            for operation in &alter.operations {
                match operation {
                    AlterTableOperation::AddColumn { column_def, .. } => {
                        names.push(ident(&column_def.name))
                    }
                    AlterTableOperation::AddConstraint { constraint, .. } => {
                        names.push(constraint_name(constraint))
                    }
                    AlterTableOperation::RenameColumn {
                        new_column_name, ..
                    } => names.push(ident(new_column_name)),
                    _ => {}
                }
            }
        }
        _ => {}
    }
    names
        .into_iter()
        .flatten()
        .map(|name| name.trim_matches('"').to_string())
        .collect()
}
