//! Supabase declarative schemas: the schema files (`supabase/schemas/`, or
//! `[db.migrations] schema_paths`) are applied to a sibling of the database the migrations
//! were applied to, and the two catalogs compared. Each difference is a
//! `declarative-schema-drift` finding, so a pull request that edits the schema files
//! without the migration `supabase db diff` writes from them (or a migration without the
//! schema files) fails.

pub mod base;
mod files;

use crate::config::Config;
use crate::diff::order::snapshot;
use crate::diff::{describe, diff, Change, ObjectKey, Snapshot};
use crate::findings::{Finding, Location, Source};
use crate::migrations::{self, file_location, MigrationSet};
use crate::model::{ident_name, Model};
use crate::postgres::apply::{self, ApplyOptions, FileStatus};
use crate::postgres::{Database, ServerOptions};
use crate::rules::registry;
use crate::sql::TreeRef;
use crate::Failure;
use sqlparser::ast::{self, Spanned};
use sqlparser::tokenizer::Span;
use std::path::{Path, PathBuf};

use files::schema_files;

/// What the migrations' catalog is called in messages, and the schema files'.
const MIGRATIONS: &str = "the migrations";
const SCHEMA_FILES: &str = "the schema files";

/// The declarative schema files of one Supabase project, read and parsed.
pub struct Schemas {
    pub set: MigrationSet,
    /// Findings about the files themselves (patterns that match nothing, unreadable
    /// files); when a pattern is wrong the comparison does not run.
    pub findings: Vec<Finding>,
    /// `schema_paths` had a problem: the CLI would refuse to run, so nothing is compared.
    broken_paths: bool,
}

/// The `supabase` folder of the project the migrations folder `set` belongs to, when the
/// rule runs for it: the folder of `supabase/config.toml`, else the parent of a Supabase
/// migrations folder.
pub fn supabase_dir(set: &MigrationSet, config: &Config) -> Option<PathBuf> {
    if !config.runs(registry::DECLARATIVE_SCHEMA_DRIFT.id) {
        return None;
    }
    config.supabase_dir.clone().or_else(|| {
        (set.layout == migrations::Layout::Supabase)
            .then(|| set.root.parent().map(Path::to_path_buf))
            .flatten()
    })
}

/// The schema files of the `supabase` folder `dir` (with its `schema_paths`), read and
/// parsed and shown as if `dir` were `shown_dir`; `None` when it has none.
pub fn load(dir: &Path, schema_paths: &[String], shown_dir: &Path) -> Option<Schemas> {
    let found = schema_files(dir, schema_paths)?;
    if found.files.is_empty() && found.problems.is_empty() {
        return None;
    }
    let config_file = migrations::display_path(&shown_dir.join("config.toml"));
    let mut findings: Vec<Finding> = found
        .problems
        .iter()
        .map(|(pattern, problem)| {
            drift(
                format!("`[db.migrations] schema_paths` pattern `{pattern}`: {problem}; the Supabase CLI refuses to run with it, so the schema files were not compared with the migrations"),
                "fix the pattern (relative to the supabase folder, e.g. \"./schemas/*.sql\"; `*` does not cross `/`)",
            )
            .with_location(file_location(&config_file))
            .finish(pattern)
        })
        .collect();
    let set = migrations::load_files(dir, &found.files, shown_dir);
    findings.extend(
        set.findings
            .iter()
            .filter(|f| f.rule != registry::EMPTY_MIGRATION.id)
            .cloned(),
    );
    Some(Schemas {
        set,
        findings,
        broken_paths: !found.problems.is_empty(),
    })
}

impl Schemas {
    /// The same files (as shown) with the same texts, in the same order, and the same
    /// problems (a `schema_paths` pattern that matches nothing).
    pub fn same_as(&self, other: &Schemas) -> bool {
        let files = |s: &Schemas| -> Vec<(String, Option<String>)> {
            s.set
                .migrations
                .iter()
                .map(|m| (m.path.clone(), m.source.as_ref().map(|t| t.text.clone())))
                .collect()
        };
        let problems = |s: &Schemas| -> Vec<String> {
            s.findings.iter().map(|f| f.fingerprint.clone()).collect()
        };
        files(self) == files(other) && problems(self) == problems(other)
    }
}

/// Applies the schema files to a new database next to `database` (which holds the
/// migrations, fully applied) and compares the two catalogs: raw findings, located in the
/// schema files where the object is declared, else where a migration creates it, else on
/// the first schema file.
pub async fn compare(
    database: &Database,
    server: &ServerOptions,
    schemas: &Schemas,
    migrations: (&MigrationSet, &Model<'_>),
    options: &ApplyOptions,
) -> Result<Vec<Finding>, Failure> {
    let mut findings = schemas.findings.clone();
    let Some(first) = schemas.set.applied().next() else {
        return Ok(findings);
    };
    if schemas.broken_paths {
        return Ok(findings);
    }
    let before = snapshot(database, "the migrations'").await?;
    let declared = database.create_sibling(server).await?;
    // The schema files declare the whole schema: they start from the prelude alone, not
    // from a baseline.
    let options = ApplyOptions {
        record_history: false,
        progress: false,
        baseline: None,
        ..options.clone()
    };
    let (report, applied) = apply::apply(&declared, &schemas.set, &options).await;
    if report.files.iter().any(|f| f.status == FileStatus::Failed) {
        findings.extend(applied.last().map(not_applied));
        return Ok(findings);
    }
    let after = snapshot(&declared, "the schema files'").await?;
    drop(declared);
    let schema_model = Model::build(&schemas.set);
    for change in &differences(&before, &after) {
        let name = model_name(change, &before, &after);
        let location = locate(change, &name, (&schemas.set, &schema_model), migrations)
            .unwrap_or_else(|| file_location(&first.path));
        let (kind, identity) = change.key();
        findings.push(
            drift(
                format!(
                    "the declarative schema files and the migrations disagree: {}",
                    describe::between(change, MIGRATIONS, SCHEMA_FILES)
                ),
                help(change),
            )
            .with_location(location)
            .with_object(format!("{kind} {identity}"))
            .finish(""),
        );
    }
    Ok(findings)
}

fn drift(message: String, help: &str) -> Finding {
    registry::finding(registry::DECLARATIVE_SCHEMA_DRIFT, message)
        .with_help(help)
        .with_source(Source::Catalog)
}

/// The schema files' failure (the engine stops at it, so its finding is the last), as a
/// drift finding with the server's message and position.
fn not_applied(failure: &Finding) -> Finding {
    let mut finding = drift(
        format!(
            "the declarative schema files do not apply, so they cannot be compared with the migrations: {}",
            failure.message
        ),
        failure.help.as_deref().unwrap_or(FIX_THE_FILE),
    );
    finding.location = failure.location.clone();
    finding.finish(failure.message.lines().next().unwrap_or_default())
}

const FIX_THE_FILE: &str = "fix the schema file; with schema_paths, list the files so that each comes after what it depends on";

fn help(change: &Change) -> &'static str {
    match change {
        Change::Added { .. } => "write the migration the schema files call for (`supabase db diff -f <name>` generates it), or remove the object from the schema files",
        Change::Removed { .. } => "declare the object in the schema files too (or drop it in a migration): the schema files are meant to describe what the migrations build",
        Change::Changed { .. } => "make both say the same: change the schema files and let `supabase db diff -f <name>` write the migration",
    }
}

/// The differences to report, in key order: without the Supabase CLI's history table
/// (only the migrations record themselves), and with the indexes and grants of a table only
/// one side has folded into that table's difference ([`diff`] folds its columns,
/// constraints, policies and triggers).
fn differences(before: &Snapshot, after: &Snapshot) -> Vec<Change> {
    let changes = diff(before, after);
    let whole: Vec<String> = changes
        .iter()
        .filter_map(|change| match change {
            Change::Added { kind, identity } | Change::Removed { kind, identity }
                if RELATIONS.contains(&kind.as_str()) =>
            {
                Some(identity.clone())
            }
            _ => None,
        })
        .collect();
    let folded = |change: &Change| {
        let (kind, identity) = change.key();
        let on_one_side = matches!(change, Change::Added { .. } | Change::Removed { .. });
        let table = match kind {
            "grant" => identity.split(" to ").next(),
            "index" => indexed_table(change, before, after),
            _ => None,
        };
        on_one_side && table.is_some_and(|table| whole.iter().any(|t| t == table))
    };
    changes
        .into_iter()
        .filter(|change| !is_history_table(change) && !folded(change))
        .collect()
}

const RELATIONS: &[&str] = &["table", "view", "materialized view", "foreign table"];

/// The table an index difference is on (`public.t` from `CREATE INDEX i ON public.t …`),
/// from the snapshot that has the index.
fn indexed_table<'a>(
    change: &Change,
    before: &'a Snapshot,
    after: &'a Snapshot,
) -> Option<&'a str> {
    let (kind, identity) = change.key();
    let key = ObjectKey {
        kind: kind.to_string(),
        identity: identity.to_string(),
    };
    let definition = after
        .objects
        .get(&key)
        .or_else(|| before.objects.get(&key))?
        .get("definition")?;
    let rest = definition.split_once(" ON ")?.1;
    let rest = rest.strip_prefix("ONLY ").unwrap_or(rest);
    rest.split(' ').next()
}

/// The object as the static model names it: an index below its table
/// (`public.t.i`), a grant or function by the name of its table or function.
fn model_name(change: &Change, before: &Snapshot, after: &Snapshot) -> String {
    let (kind, identity) = change.key();
    if kind == "index" {
        if let Some(table) = indexed_table(change, before, after) {
            let index = identity.rsplit('.').next().unwrap_or(identity);
            return format!("{table}.{index}");
        }
    }
    // `public.t to anon` (a grant) and `public.f(integer)` name the table or function.
    let name = identity.split(" to ").next().unwrap_or(identity);
    name.split('(').next().unwrap_or(name).to_string()
}

/// The Supabase CLI's migration history table exists only where migrations ran.
fn is_history_table(change: &Change) -> bool {
    let (_, identity) = change.key();
    identity == "supabase_migrations"
        || identity.starts_with("supabase_migrations.")
        || identity.starts_with("supabase_migrations ")
}

/// Where to point: the statement of the schema files that declares the object (for a
/// column, its definition), or the closest object that contains it (the table of a
/// column); else the migration that creates it.
fn locate(
    change: &Change,
    name: &str,
    schemas: (&MigrationSet, &Model<'_>),
    migrations: (&MigrationSet, &Model<'_>),
) -> Option<Location> {
    let (kind, _) = change.key();
    let column = (kind == "column")
        .then(|| name.rsplit('.').next())
        .flatten();
    let at = |(set, model): (&MigrationSet, &Model<'_>), object: &str| {
        let (migration, statement) = model.locate(object)?.resolve(set)?;
        let span = column.and_then(|column| statement.ast().and_then(|a| column_span(a, column)));
        Some(match span {
            Some(span) => migration.element_location(statement, span),
            None => migration.statement_location(statement),
        })
    };
    let mut candidate = Some(name);
    while let Some(object) = candidate {
        if let Some(location) = at(schemas, object) {
            return Some(location);
        }
        candidate = object.rsplit_once('.').map(|(parent, _)| parent);
    }
    at(migrations, name)
}

/// The definition of `column` in a `CREATE TABLE` or `ALTER TABLE … ADD COLUMN`.
fn column_span(statement: TreeRef<'_>, column: &str) -> Option<Span> {
    let named = |def: &ast::ColumnDef| (ident_name(&def.name) == column).then(|| def.span());
    match statement {
        TreeRef::CreateTable(create) => create.columns.iter().find_map(named),
        TreeRef::AlterTable(alter) => alter.operations.iter().find_map(|op| match op {
            ast::AlterTableOperation::AddColumn { column_def, .. } => named(column_def),
            _ => None,
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    /// (kind, identity, definition)
    fn snapshot(objects: &[(&str, &str, &str)]) -> Snapshot {
        Snapshot {
            objects: objects
                .iter()
                .map(|(kind, identity, definition)| {
                    let key = ObjectKey {
                        kind: kind.to_string(),
                        identity: identity.to_string(),
                    };
                    let attributes = (!definition.is_empty())
                        .then(|| ("definition".to_string(), definition.to_string()))
                        .into_iter()
                        .collect::<BTreeMap<_, _>>();
                    (key, attributes)
                })
                .collect(),
        }
    }

    #[test]
    fn a_table_on_one_side_is_one_difference_and_the_history_table_none() {
        let migrations = snapshot(&[
            ("table", "public.t", ""),
            ("schema", "supabase_migrations", ""),
            ("table", "supabase_migrations.schema_migrations", ""),
            (
                "index",
                "public.old_idx",
                "CREATE INDEX old_idx ON public.t USING btree (a)",
            ),
        ]);
        let schema_files = snapshot(&[
            ("table", "public.t", ""),
            ("table", "public.extra", ""),
            ("column", "public.extra.id", ""),
            (
                "index",
                "public.extra_pkey",
                "CREATE UNIQUE INDEX extra_pkey ON public.extra USING btree (id)",
            ),
            ("grant", "public.extra to anon", ""),
            ("grant", "public.t to anon", ""),
        ]);
        let lines: Vec<String> = differences(&migrations, &schema_files)
            .iter()
            .map(describe::line)
            .collect();
        assert_eq!(
            lines,
            [
                "+ grant public.t to anon",
                "- index public.old_idx",
                "+ table public.extra"
            ]
        );
        let removed = Change::Removed {
            kind: "index".to_string(),
            identity: "public.old_idx".to_string(),
        };
        assert_eq!(
            model_name(&removed, &migrations, &schema_files),
            "public.t.old_idx"
        );
    }
}
