use crate::declare_rule;
use crate::findings::Finding;
use crate::migrations::Layout;
use crate::model::{qualified, schema_of};
use crate::rules::{LintContext, Rule, RuleMeta};
use crate::sql::{Parsed, TreeRef};
use sqlparser::ast::Statement as Ast;

declare_rule! {
    /// ## What it does
    /// Reports statements that create tables, views, functions, procedures, types,
    /// domains, sequences or indexes in the schemas Supabase's services own (`auth`,
    /// `storage`, `realtime`, `supabase_functions`, `vault`, `graphql`, `graphql_public`,
    /// `pgsodium`) of a Supabase project. Policies on `storage.objects` and triggers on `auth.users` are
    /// fine and not reported: they live on Supabase's tables, not in its schemas.
    ///
    /// ## Why is this bad?
    /// These schemas belong to Supabase's services. Hosted projects do not let the
    /// migration role create objects in them (`supabase db push` fails with a permission
    /// error), and upgrades of the services may replace or drop what is there.
    ///
    /// ## Example
    /// ```sql
    /// create function auth.user_role() returns text language sql as $$ select 'x' $$;
    /// ```
    ///
    /// Use instead:
    /// ```sql
    /// create function public.user_role() returns text language sql
    ///   set search_path = '' as $$ select 'x' $$;
    /// ```
    ///
    /// ## How to suppress
    /// `-- schemagate-ignore objects-in-supabase-schemas: <reason>` before the statement
    /// (e.g. for a local-only test shim).
    pub struct ObjectsInSupabaseSchemas {
        id: "objects-in-supabase-schemas",
        severity: Error,
        category: Security,
        scope: Supabase,
        summary: "A migration creates objects in Supabase's auth, storage or realtime schemas",
    }
}

impl Rule for ObjectsInSupabaseSchemas {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Vec<Finding>) {
        let supabase =
            cx.set.layout == Layout::Supabase || cx.config.prelude.as_deref() == Some("supabase");
        if !supabase {
            return;
        }
        for migration in cx.set.applied() {
            for statement in migration.statements.iter().filter(|s| s.applies) {
                let Some((kind, name)) = created_object(&statement.parsed) else {
                    continue;
                };
                let schema = schema_of(&name);
                if !crate::supabase::RESTRICTED_SCHEMAS.contains(&schema) {
                    continue;
                }
                out.push(
                    cx.finding(
                        &Self::META,
                        migration,
                        statement,
                        format!("creates {kind} `{name}` in the `{schema}` schema, which Supabase manages; hosted projects refuse it"),
                    )
                    .with_help("create it in `public` or a schema of your own (e.g. `private`); reference Supabase's tables from there")
                    .with_object(name),
                );
            }
        }
    }
}

/// What a statement creates, when it is a kind this rule checks: the kind and the
/// qualified name (for an index: its table, whose schema it lives in).
fn created_object(parsed: &Parsed) -> Option<(&'static str, String)> {
    match parsed {
        Parsed::Ast(ast) => match ast.as_ref() {
            TreeRef::CreateTable(create) if !create.temporary => {
                Some(("table", qualified(&create.name)))
            }
            TreeRef::CreateFunction(create) => Some(("function", qualified(&create.name))),
            TreeRef::CreateIndex(index) => Some(("an index on", qualified(&index.table_name))),
            TreeRef::Other(Ast::CreateView(create)) => Some(("view", qualified(&create.name))),
            TreeRef::Other(Ast::CreateProcedure { name, .. }) => {
                Some(("procedure", qualified(name)))
            }
            TreeRef::Other(Ast::CreateType { name, .. }) => Some(("type", qualified(name))),
            TreeRef::Other(Ast::CreateDomain(domain)) => Some(("domain", qualified(&domain.name))),
            TreeRef::Other(Ast::CreateSequence { name, .. }) => Some(("sequence", qualified(name))),
            _ => None,
        },
        Parsed::Fallback(fallback) => {
            let kind = match fallback.command.as_str() {
                "CREATE TABLE" => "table",
                "CREATE VIEW" | "CREATE MATERIALIZED VIEW" => "view",
                "CREATE FUNCTION" => "function",
                "CREATE PROCEDURE" => "procedure",
                "CREATE TYPE" => "type",
                "CREATE DOMAIN" => "domain",
                "CREATE SEQUENCE" => "sequence",
                _ => return None,
            };
            let name = fallback.objects.first()?;
            Some((kind, crate::model::qualify_name(name)))
        }
        Parsed::Compact(_) | Parsed::Released => None,
    }
}
