//! Which server a run uses: the wanted major or a clear message, and the extension overlay
//! on an installation without `pg_config`.

mod support;

use support::{assert_exit, run_in, schemagate, supabase_project, text};

const PG_NET: &str =
    "create extension if not exists pg_net;\ncreate table t (id bigint primary key);\n";

#[test]
fn emulated_extensions_work_on_an_installation_without_pg_config() {
    let install = tempfile::tempdir().unwrap();
    let bin = support::pg::installation_without(install.path(), &[]);
    let project = supabase_project(&[("20240101000000_a.sql", PG_NET)]);
    let output = schemagate()
        .args(["check", "--format", "json", "--pg-bin"])
        .arg(&bin)
        .arg(".")
        .current_dir(project.path())
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|_| panic!("{}", text(&output.stderr)));
    assert_eq!(
        support::apply_statuses(&report),
        ["applied"],
        "{}",
        text(&output.stderr)
    );
}

#[test]
fn a_missing_major_asked_for_on_the_command_line_is_exit_3() {
    let project = supabase_project(&[("20240101000000_a.sql", PG_NET)]);
    let output = run_in(project.path(), &["check", "--pg-version", "99", "."]);
    assert_exit(&output, 3);
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("PostgreSQL 99 was asked for with --pg-version"),
        "{stderr}"
    );
    assert!(stderr.contains("postgresql-99"), "{stderr}");
}

#[test]
fn a_project_major_that_is_not_installed_is_a_note_naming_both_sources() {
    let project = supabase_project(&[("20240101000000_a.sql", "create schema app;\n")]);
    std::fs::write(
        project.path().join("supabase/config.toml"),
        "[db]\nmajor_version = 99\n",
    )
    .unwrap();
    let output = run_in(project.path(), &["check", "."]);
    assert_exit(&output, 0);
    let stderr = text(&output.stderr);
    let note = stderr
        .lines()
        .find(|line| line.starts_with("note: PostgreSQL 99 is wanted"))
        .unwrap_or_else(|| panic!("{stderr}"));
    assert!(note.contains("[db] major_version in "), "{note}");
    assert!(note.contains("config.toml"), "{note}");
    assert!(note.contains("(found by "), "{note}");
}
