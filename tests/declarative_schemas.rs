//! Supabase declarative schemas (`supabase/schemas/`, `[db.migrations] schema_paths`)
//! compared with the migrations on real PostgreSQL: `declarative-schema-drift`. Each test
//! copies a fixture of `testdata/declarative/` into a temporary folder and edits it.

mod support;

use serde_json::Value;
use std::path::Path;
use support::git::Repo;

const RULE: &str = "declarative-schema-drift";

/// A copy of `testdata/declarative/<name>` (its `supabase` folder) in a temporary folder.
fn fixture(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let source = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/declarative")
        .join(name);
    copy_into(&source, dir.path());
    dir
}

fn copy_into(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

fn write(dir: &Path, relative: &str, text: &str) {
    std::fs::write(dir.join(relative), text).unwrap();
}

/// `check` in `dir` with JSON output: the exit code and the document.
fn check(dir: &Path, extra: &[&str]) -> (i32, Value) {
    let output = support::run_in(
        dir,
        &[&["check", ".", "--format", "json", "-q"], extra].concat(),
    );
    let stdout = support::text(&output.stdout);
    let document = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "no JSON ({e}): {stdout}\nstderr: {}",
            support::text(&output.stderr)
        )
    });
    (output.status.code().unwrap_or(-1), document)
}

fn drift(document: &Value) -> Vec<&Value> {
    document["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == RULE)
        .collect()
}

/// (object, file, line) of each drift finding.
fn places(document: &Value) -> Vec<(String, String, u64)> {
    drift(document)
        .iter()
        .map(|f| {
            (
                f["object"].as_str().unwrap_or_default().to_string(),
                f["location"]["file"].as_str().unwrap().to_string(),
                f["location"]["line"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn schema_files_that_match_the_migrations_give_no_finding() {
    let dir = fixture("project");
    let (code, document) = check(dir.path(), &[]);
    assert_eq!(code, 0, "{document:#}");
    assert!(drift(&document).is_empty(), "{document:#}");
}

#[test]
fn a_column_added_to_the_schema_files_only_fails_at_its_definition() {
    let dir = fixture("project");
    let path = dir.path().join("supabase/schemas/employees.sql");
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("  team_id bigint\n", "  team_id bigint,\n  age smallint\n");
    std::fs::write(&path, text).unwrap();
    let (code, document) = check(dir.path(), &[]);
    assert_eq!(code, 1, "{document:#}");
    assert_eq!(
        places(&document),
        [(
            "column public.employees.age".to_string(),
            "supabase/schemas/employees.sql".to_string(),
            5
        )],
        "{document:#}"
    );
    let finding = drift(&document)[0];
    assert_eq!(finding["severity"], "error");
    assert_eq!(finding["location"]["column"], 3);
    let message = finding["message"].as_str().unwrap();
    assert!(
        message.contains("column public.employees.age: only in the schema files"),
        "{message}"
    );
}

#[test]
fn a_table_added_by_a_migration_only_is_drift_at_the_migration() {
    let dir = fixture("project");
    write(
        dir.path(),
        "supabase/migrations/20240103000000_audit.sql",
        "create table public.audit (id bigint primary key);\nalter table public.audit enable row level security;\n",
    );
    let (code, document) = check(dir.path(), &[]);
    assert_eq!(code, 1, "{document:#}");
    assert_eq!(
        places(&document),
        [(
            "table public.audit".to_string(),
            "supabase/migrations/20240103000000_audit.sql".to_string(),
            1
        )],
        "{document:#}"
    );
    let message = drift(&document)[0]["message"].as_str().unwrap();
    assert!(message.contains("only in the migrations"), "{message}");
}

#[test]
fn schema_paths_decide_the_order_and_name_order_would_fail() {
    let dir = fixture("ordered");
    let (code, document) = check(dir.path(), &[]);
    assert_eq!(code, 0, "{document:#}");
    assert!(drift(&document).is_empty(), "{document:#}");

    // Without schema_paths the CLI applies the files by name: the view comes first and
    // fails. That is a finding (with the server's message and position), not a crash.
    write(
        dir.path(),
        "supabase/config.toml",
        "[api]\nschemas = [\"public\"]\n",
    );
    let (code, document) = check(dir.path(), &[]);
    assert_eq!(code, 1, "{document:#}");
    let found = drift(&document);
    assert_eq!(found.len(), 1, "{document:#}");
    let message = found[0]["message"].as_str().unwrap();
    assert!(message.contains("do not apply"), "{message}");
    assert!(
        message.contains("relation \"public.notes\" does not exist"),
        "{message}"
    );
    assert_eq!(found[0]["location"]["file"], "supabase/schemas/a_views.sql");
    assert_eq!(found[0]["location"]["line"], 2);
}

#[test]
fn a_broken_schema_file_and_a_pattern_that_matches_nothing_are_findings() {
    let dir = fixture("project");
    write(
        dir.path(),
        "supabase/schemas/functions.sql",
        "create function public.employee_count() returns bigint\n  languag sql as $$ select 1 $$;\n",
    );
    let (code, document) = check(dir.path(), &[]);
    assert_eq!(code, 1, "{document:#}");
    let found = drift(&document);
    assert_eq!(found.len(), 1, "{document:#}");
    assert!(
        found[0]["message"]
            .as_str()
            .unwrap()
            .contains("syntax error"),
        "{document:#}"
    );
    assert_eq!(
        found[0]["location"]["file"],
        "supabase/schemas/functions.sql"
    );
    assert_eq!(found[0]["location"]["line"], 2);

    write(
        dir.path(),
        "supabase/config.toml",
        "[db.migrations]\nschema_paths = [\"./schemas/employees.sql\", \"./schema/*.sql\"]\n",
    );
    let (code, document) = check(dir.path(), &[]);
    assert_eq!(code, 1, "{document:#}");
    assert_eq!(
        places(&document),
        [(String::new(), "supabase/config.toml".to_string(), 1)],
        "{document:#}"
    );
    assert!(drift(&document)[0]["message"]
        .as_str()
        .unwrap()
        .contains("`./schema/*.sql`: no file matches it"));
}

#[test]
fn with_no_apply_the_schema_files_are_not_compared() {
    let dir = fixture("project");
    write(
        dir.path(),
        "supabase/schemas/extra.sql",
        "create table public.extra (id bigint primary key);\n",
    );
    let (code, document) = check(dir.path(), &["--no-apply"]);
    assert_eq!(code, 0, "{document:#}");
    assert!(drift(&document).is_empty(), "{document:#}");
}

/// A repository whose `main` holds the fixture `name` and the files `extra`, with
/// `feature` checked out.
fn repository(name: &str, extra: &[(&str, &str)]) -> Repo {
    let repo = Repo::new();
    copy_into(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("testdata/declarative")
            .join(name),
        repo.path(),
    );
    for (path, text) in extra {
        repo.write(path, text);
    }
    repo.base(&[])
}

fn statuses(document: &Value) -> Vec<(String, String)> {
    drift(document)
        .iter()
        .map(|f| {
            (
                f["object"].as_str().unwrap_or_default().to_string(),
                f["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn a_branch_that_edits_only_the_schema_files_is_checked_and_its_drift_is_new() {
    let repo = repository("project", &[]);
    repo.write(
        "supabase/schemas/extra.sql",
        "create table public.extra (id bigint primary key);\n",
    );
    repo.commit("feature: a table in the schema files only");
    let (code, document) = check(repo.path(), &["--base", "main"]);
    assert_eq!(code, 1, "{document:#}");
    assert_eq!(
        statuses(&document),
        [("table public.extra".to_string(), "new".to_string())],
        "{document:#}"
    );
}

#[test]
fn drift_the_base_already_had_is_existing() {
    let repo = repository(
        "project",
        &[(
            "supabase/schemas/extra.sql",
            "create table public.extra (id bigint primary key);\n",
        )],
    );
    repo.migration(
        "20240103000000_notes.sql",
        "create table public.notes (id bigint primary key);\nalter table public.notes enable row level security;\n",
    );
    repo.write(
        "supabase/schemas/notes.sql",
        "create table public.notes (id bigint primary key);\nalter table public.notes enable row level security;\n",
    );
    repo.commit("feature: notes, in both");
    let (code, document) = check(repo.path(), &["--base", "main"]);
    assert_eq!(
        statuses(&document),
        [("table public.extra".to_string(), "existing".to_string())],
        "{document:#}"
    );
    assert_eq!(code, 0, "{document:#}");
}
