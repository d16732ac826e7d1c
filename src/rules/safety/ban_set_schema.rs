use super::applied;
use crate::declare_rule;
use crate::findings::Finding;
use crate::model::{base_of, qualified, qualify_name, schema_of};
use crate::rules::{LintContext, Rule, RuleMeta};
use crate::sql::fallback::{leading_words, set_schema_target};
use crate::sql::{Compact, Fallback, Parsed, Statement, TreeRef};
use sqlparser::ast::{self, AlterFunctionKind, AlterFunctionOperation, AlterViewOperation};

declare_rule! {
    /// ## What it does
    /// Reports `ALTER TABLE | VIEW | MATERIALIZED VIEW | FUNCTION | PROCEDURE | TYPE |
    /// SEQUENCE | DOMAIN … SET SCHEMA` on an object that exists before the migration, and
    /// `ALTER EXTENSION … SET SCHEMA`, which moves every object of the extension.
    ///
    /// ## Why is this bad?
    /// The object changes its qualified name the moment the migration commits: SQL,
    /// functions and clients that name it by its old schema fail, and unqualified names
    /// find it only where the new schema is on the `search_path`. In a Supabase project the
    /// exposed schemas are the API: a table or view that leaves one loses its endpoint
    /// (`/rest/v1/<table>`), a function its RPC endpoint (`/rest/v1/rpc/<function>`), and
    /// deployed apps get errors; one that moves into an exposed schema becomes reachable
    /// through the API, so its row level security and grants decide who reads or calls it.
    ///
    /// ## Example
    /// ```sql
    /// alter table public.invoices set schema billing;
    /// ```
    ///
    /// Use instead: move the clients first. Leave a view (or a wrapper function) under
    /// the old name for a release, or create the object in its final schema from the start;
    /// then suppress the finding with the reason.
    /// ```sql
    /// -- schemagate-ignore ban-set-schema: no client reads public.invoices since release 31
    /// alter table public.invoices set schema billing;
    /// ```
    ///
    /// ## How to suppress
    /// `-- schemagate-ignore ban-set-schema: <reason>` before the statement.
    pub struct BanSetSchema {
        id: "ban-set-schema",
        severity: Warning,
        category: Safety,
        summary: "An existing object moves to another schema (its old name and API endpoint break)",
    }
}

/// What an `ALTER … SET SCHEMA` statement moves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaMove {
    /// `table`, `view`, `materialized view`, `function`, `aggregate`, `procedure`, `type`,
    /// `sequence`, `domain` or `extension`.
    pub kind: &'static str,
    /// The object: `schema.name`, or `extension <name>` (an extension is in no schema).
    pub object: String,
    /// The schema it moves to.
    pub to: String,
    pub if_exists: bool,
}

/// The move a statement makes, if it is an `ALTER … SET SCHEMA`: from its tree where
/// sqlparser parses it (views, functions), else from the classified fallback (tables,
/// procedures, types, sequences, domains, extensions).
pub fn schema_move(statement: &Statement, text: &str) -> Option<SchemaMove> {
    match &statement.parsed {
        Parsed::Fallback(fallback) => fallback_move(fallback, text),
        Parsed::Ast(tree) => match tree.as_ref() {
            TreeRef::Other(ast::Statement::AlterView(alter)) => match &alter.operation {
                AlterViewOperation::SetSchema { schema_name } => Some(SchemaMove {
                    kind: if alter.materialized {
                        "materialized view"
                    } else {
                        "view"
                    },
                    object: qualified(&alter.name),
                    to: schema(schema_name),
                    if_exists: alter.if_exists,
                }),
                _ => None,
            },
            _ => None,
        },
        // Function alterations are kept compact: read in place, not rebuilt.
        Parsed::Compact(compact) => match compact.as_ref() {
            Compact::AlterFunction(alter) => match &alter.operation {
                AlterFunctionOperation::SetSchema { schema_name } => Some(SchemaMove {
                    kind: match alter.kind {
                        AlterFunctionKind::Function => "function",
                        AlterFunctionKind::Aggregate => "aggregate",
                    },
                    object: qualified(&alter.function.name),
                    to: schema(schema_name),
                    if_exists: false,
                }),
                _ => None,
            },
            _ => None,
        },
        Parsed::Released => None,
    }
}

/// The move of a statement sqlparser could not parse, from its command, first object and
/// closing `SET SCHEMA` clause.
fn fallback_move(fallback: &Fallback, text: &str) -> Option<SchemaMove> {
    let kind = match fallback.command.as_str() {
        "ALTER TABLE" => "table",
        "ALTER VIEW" => "view",
        "ALTER MATERIALIZED VIEW" => "materialized view",
        "ALTER FUNCTION" => "function",
        "ALTER PROCEDURE" => "procedure",
        "ALTER TYPE" => "type",
        "ALTER SEQUENCE" => "sequence",
        "ALTER DOMAIN" => "domain",
        "ALTER EXTENSION" => "extension",
        _ => return None,
    };
    let to = set_schema_target(text)?;
    let name = fallback.objects.first()?;
    let object = if kind == "extension" {
        super::extension_key(name)
    } else {
        qualify_name(name)
    };
    let if_exists = leading_words(text, 6)
        .windows(2)
        .any(|pair| pair == ["IF", "EXISTS"]);
    Some(SchemaMove {
        kind,
        object,
        to,
        if_exists,
    })
}

/// The schema an `ObjectName` names (`SET SCHEMA "Billing"` → `Billing`).
fn schema(name: &ast::ObjectName) -> String {
    base_of(&qualified(name)).to_string()
}

impl Rule for BanSetSchema {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Vec<Finding>) {
        for (m, migration, s, statement) in applied(cx.set) {
            let Some(source) = &migration.source else {
                continue;
            };
            let Some(moved) = schema_move(statement, statement.text(source)) else {
                continue;
            };
            // A move of what the change created, or of what no migration made under
            // `if exists`, changes nothing deployed.
            if !cx
                .fresh
                .drops_existing(&moved.object, moved.if_exists, m, s)
            {
                continue;
            }
            let (consequence, help) = consequence(cx, &moved);
            let what = match moved.object.strip_prefix("extension ") {
                Some(extension) if moved.kind == "extension" => format!(
                    "extension `{extension}` moves its objects to schema `{to}`: SQL that names them by their old schema fails, and unqualified names find them only where `{to}` is on the search_path",
                    to = moved.to
                ),
                _ => format!(
                    "{} `{}` moves to schema `{}`: SQL and clients that name it `{}` fail",
                    moved.kind, moved.object, moved.to, moved.object
                ),
            };
            out.push(
                cx.finding(
                    &Self::META,
                    migration,
                    statement,
                    format!("{what}{consequence}"),
                )
                .with_help(help)
                .with_object(moved.object),
            );
        }
    }
}

/// What the move means for the API, and the advice that goes with it.
fn consequence(cx: &LintContext<'_>, moved: &SchemaMove) -> (String, &'static str) {
    const MOVE_CLIENTS: &str = "move every client to the new name first (a view or wrapper function left under the old name can bridge a release), or create the object in its final schema; then suppress with the reason";
    let endpoint = match moved.kind {
        "table" | "view" | "materialized view" => {
            format!("/rest/v1/{}", base_of(&moved.object))
        }
        "function" | "procedure" => format!("/rest/v1/rpc/{}", base_of(&moved.object)),
        "extension" => "/rest/v1/rpc/<function>".to_string(),
        _ => return (String::new(), MOVE_CLIENTS),
    };
    let from_exposed = moved.kind != "extension" && cx.is_exposed(schema_of(&moved.object));
    let to_exposed = cx.is_exposed(&moved.to);
    let callable = matches!(moved.kind, "function" | "procedure" | "extension");
    match (from_exposed, to_exposed) {
        (true, false) => (
            format!("; it is the API endpoint `{endpoint}`, which disappears"),
            MOVE_CLIENTS,
        ),
        (false, true) if callable => (
            format!(
                "; in `{}` the API serves it (`{endpoint}`): whoever may execute it can call it",
                moved.to
            ),
            "check who may execute it (functions are executable by PUBLIC unless revoked) and whether it must run as `security invoker` before moving it into an exposed schema; then suppress with the reason",
        ),
        (false, true) => (
            format!(
                "; in `{}` the API serves it (`{endpoint}`): its row level security and grants decide who reads it",
                moved.to
            ),
            "enable row level security with policies (or `security_invoker` for a view) and review its grants before moving it into an exposed schema; then suppress with the reason",
        ),
        (true, true) if cx.config.exposed_schemas.first() != Some(&moved.to) => (
            format!(
                "; the API serves `{endpoint}` from `{}` now, only to clients that select that schema (the `Accept-Profile` header)",
                moved.to
            ),
            MOVE_CLIENTS,
        ),
        _ => (String::new(), MOVE_CLIENTS),
    }
}
