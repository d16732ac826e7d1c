//! What README.md promises, end to end through the binary: the bundled example's verdict,
//! `schemagate.toml`, suppressions in SQL, `-v` and folder discovery.

mod support;

use serde_json::Value;
use std::fs;
use std::path::Path;
use std::process::Output;
use support::{assert_exit, text};

fn write(root: &Path, files: &[(&str, &str)]) {
    for (path, content) in files {
        let path = root.join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, content).unwrap();
    }
}

/// A project folder: a `.git` marker bounds the search for `schemagate.toml`.
fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join(".git")).unwrap();
    write(dir.path(), files);
    dir
}

fn json(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\n{}",
            text(&output.stdout),
            text(&output.stderr)
        )
    })
}

/// (rule, severity, status, object) of every finding.
fn findings(document: &Value) -> Vec<(String, String, String, String)> {
    document["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let field = |name: &str| f[name].as_str().unwrap_or("").to_string();
            (
                field("rule"),
                field("severity"),
                field("status"),
                field("object"),
            )
        })
        .collect()
}

fn row(rule: &str, severity: &str, status: &str, object: &str) -> (String, String, String, String) {
    (rule.into(), severity.into(), status.into(), object.into())
}

/// Set-up: `check testdata/example` exits 1 and ends with the summary line the README
/// quotes, with no PostgreSQL directory on `PATH` (`initdb` need not be there).
#[test]
fn the_example_fails_with_the_quoted_summary_line_without_initdb_on_path() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = fs::read_to_string(root.join("README.md")).unwrap();
    let readme = readme.split_whitespace().collect::<Vec<_>>().join(" ");
    let quoted = regex::Regex::new(r"ends with one summary line: `([^`]+)`")
        .unwrap()
        .captures(&readme)
        .expect("the README quotes the summary line")[1]
        .to_string();
    let path = "/usr/bin:/bin";
    assert!(
        path.split(':')
            .all(|dir| !Path::new(dir).join("initdb").exists()),
        "initdb is on {path}; the test would prove nothing"
    );
    let output = support::schemagate()
        .args(["check", "testdata/example"])
        .current_dir(root)
        .env("PATH", path)
        .output()
        .unwrap();
    assert_exit(&output, 1);
    let stdout = text(&output.stdout);
    assert_eq!(
        stdout.trim_end().lines().last(),
        Some(quoted.as_str()),
        "{stdout}"
    );
}

/// Configuration: levels `error` and `info` (and `off`) and `layout` in schemagate.toml.
#[test]
fn schemagate_toml_sets_levels_and_layout() {
    let files = [
        ("db/1_a.up.sql", "create table t (id int);\n"),
        ("db/2_b.up.sql", "-- nothing yet\n"),
    ];
    let dir = project(&files);
    // A Supabase project's API rules (rls-disabled) outside supabase/: --profile.
    let args = ["lint", "db", "--format", "json", "--profile", "supabase"];
    let output = support::run_in(dir.path(), &args);
    let document = json(&output);
    assert_eq!(document["folders"][0]["layout"], "golang-migrate");
    assert_eq!(
        findings(&document),
        [
            row("rls-disabled", "error", "new", "public.t"),
            row("no-primary-key", "info", "new", "public.t"),
            row("empty-migration", "info", "new", ""),
        ]
    );

    fs::write(
        dir.path().join("schemagate.toml"),
        "layout = \"plain\"\n[rules]\nrls-disabled = \"info\"\nempty-migration = \"error\"\nno-primary-key = \"off\"\n",
    )
    .unwrap();
    let output = support::run_in(dir.path(), &args);
    assert_exit(&output, 1);
    let document = json(&output);
    assert_eq!(document["folders"][0]["layout"], "plain");
    assert_eq!(
        findings(&document),
        [
            row("empty-migration", "error", "new", ""),
            row("rls-disabled", "info", "new", "public.t"),
        ]
    );
}

const SUPPRESSED: &str = "\
-- schemagate-ignore rls-disabled, no-primary-key: written by triggers only
create table public.audit_log (id int);

create table public.parent (id bigint primary key);
alter table public.parent enable row level security;
create table public.child (id bigint primary key, parent_id bigint references public.parent (id));
alter table public.child enable row level security;

-- schemagate-ignore-file unindexed-foreign-key: tiny lookup tables
";

/// Suppressions in SQL: several rules on one statement, a rule in the whole file; suppressed
/// findings never fail the gate, and only `-v` shows them (and the ignored sub-folders).
#[test]
fn suppressions_and_verbose_output() {
    let dir = project(&[
        ("supabase/migrations/20240101000000_a.sql", SUPPRESSED),
        (
            "supabase/migrations/legacy/20200101000000_old.sql",
            "select 1;\n",
        ),
    ]);
    let output = support::run_in(dir.path(), &["lint", ".", "--format", "json"]);
    assert_exit(&output, 0);
    assert_eq!(
        findings(&json(&output)),
        [
            row("rls-disabled", "error", "suppressed", "public.audit_log"),
            row(
                "unindexed-foreign-key",
                "warning",
                "suppressed",
                "public.child.parent_id"
            ),
            row("no-primary-key", "info", "suppressed", "public.audit_log"),
            row("rls-enabled-no-policy", "info", "new", "public.parent"),
            row("rls-enabled-no-policy", "info", "new", "public.child"),
        ]
    );

    let plain = support::run_in(dir.path(), &["lint", "."]);
    assert_exit(&plain, 0);
    let stdout = text(&plain.stdout);
    assert!(!stdout.contains("suppressed:"), "{stdout}");
    assert!(!text(&plain.stderr).contains("ignored"));

    for args in [
        &["lint", ".", "-v"][..],
        &["check", ".", "-v", "--no-apply"],
    ] {
        let command = args[0];
        let verbose = support::run_in(dir.path(), args);
        assert_exit(&verbose, 0);
        let stdout = text(&verbose.stdout);
        assert!(
            stdout.contains("(suppressed: written by triggers only)"),
            "{command}: {stdout}"
        );
        assert!(
            stdout.contains("(suppressed: tiny lookup tables)"),
            "{command}: {stdout}"
        );
        let stderr = text(&verbose.stderr);
        assert!(
            stderr.contains("supabase/migrations/legacy: sub-folder, not used by supabase"),
            "{command}: {stderr}"
        );
    }
}

/// Discovery: every `supabase/migrations` folder below the path, a few levels deep.
#[test]
fn several_and_deeper_supabase_folders_are_found() {
    let table = "create table public.t (id bigint primary key);\n";
    let dir = project(&[
        ("supabase/migrations/20240101000000_a.sql", table),
        ("apps/web/supabase/migrations/20240101000000_a.sql", table),
        (
            "services/api/db/supabase/migrations/20240101000000_a.sql",
            table,
        ),
        (
            "node_modules/pkg/supabase/migrations/20240101000000_a.sql",
            table,
        ),
    ]);
    let output = support::run_in(dir.path(), &["lint", ".", "--format", "json"]);
    let document = json(&output);
    let mut folders: Vec<String> = document["folders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let path = f["path"].as_str().unwrap();
            path.trim_start_matches("./").to_string()
        })
        .collect();
    folders.sort();
    assert_eq!(
        folders,
        [
            "apps/web/supabase/migrations",
            "services/api/db/supabase/migrations",
            "supabase/migrations",
        ]
    );
}
