//! New means caused by the branch: `check --base` compares the head's findings with the
//! base's own (static rules on the base's files, catalog rules and apply on a database the
//! base was applied to) and points a new finding at the branch's statement that caused it,
//! wherever the object was created. Real PostgreSQL (the tool's ephemeral cluster) and real
//! git repositories.

mod support;

use serde_json::Value;
use support::git::{Repo, MIGRATIONS};
use support::{assert_exit, run_in};

/// A base where `public.notes` is protected: RLS on, one policy, a safe function.
const BASE: &str = "\
create table public.notes (
  id bigint generated always as identity primary key,
  owner uuid not null default auth.uid(),
  body text
);
alter table public.notes enable row level security;
create policy \"own notes\" on public.notes for select to authenticated
  using ((select auth.uid()) = owner);
create function public.note_count() returns bigint
  language sql security definer set search_path = ''
  as $$ select count(*) from public.notes $$;
";

fn repo_with(branch_file: &str) -> Repo {
    let repo = Repo::with_base(&[("20240101000000_notes.sql", BASE)]);
    repo.migration("20240201000000_branch.sql", branch_file);
    repo.commit("feature");
    repo
}

fn check(repo: &Repo) -> (std::process::Output, Value) {
    let output = run_in(
        repo.path(),
        &["check", MIGRATIONS, "--base", "main", "--format", "json"],
    );
    let document = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\n{}",
            support::text(&output.stdout),
            support::text(&output.stderr)
        )
    });
    (output, document)
}

/// `(rule, status, file name, line)` of every finding, sorted.
fn rows(document: &Value) -> Vec<(String, String, String, u64)> {
    let mut rows: Vec<_> = document["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let file = f["location"]["file"].as_str().unwrap_or("");
            (
                f["rule"].as_str().unwrap().to_string(),
                f["status"].as_str().unwrap().to_string(),
                file.rsplit('/').next().unwrap().to_string(),
                f["location"]["line"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    rows.sort();
    rows
}

/// The rows of the new findings.
fn new_rows(document: &Value) -> Vec<(String, String, String, u64)> {
    rows(document)
        .into_iter()
        .filter(|r| r.1 == "new")
        .collect()
}

fn row(rule: &str, status: &str, file: &str, line: u64) -> (String, String, String, u64) {
    (rule.into(), status.into(), file.into(), line)
}

#[test]
fn disabling_rls_on_an_old_table_fails_the_gate_at_the_new_statement() {
    let repo = repo_with("-- a quick fix\nalter table public.notes disable row level security;\n");
    let (output, document) = check(&repo);
    assert_exit(&output, 1);
    // The trace also sees the table's lock taken without a `lock_timeout`.
    assert_eq!(
        new_rows(&document),
        [
            row(
                "lock-timeout-missing",
                "new",
                "20240201000000_branch.sql",
                2
            ),
            row("policy-without-rls", "new", "20240201000000_branch.sql", 2)
        ],
        "{document:#}"
    );
}

#[test]
fn a_function_replaced_without_search_path_is_new_where_it_is_replaced() {
    let repo = repo_with(
        "create or replace function public.note_count() returns bigint\n  \
         language sql security definer\n  as $$ select count(*) from public.notes $$;\n",
    );
    let (output, document) = check(&repo);
    assert_exit(&output, 1);
    let rows = new_rows(&document);
    assert!(
        rows.contains(&row(
            "security-definer-search-path",
            "new",
            "20240201000000_branch.sql",
            1
        )),
        "{rows:?}"
    );
    assert!(
        rows.iter().all(|r| r.2 == "20240201000000_branch.sql"),
        "{rows:?}"
    );
}

#[test]
fn dropping_the_last_policy_is_new_at_the_drop() {
    let repo = repo_with("drop policy \"own notes\" on public.notes;\n");
    let (output, document) = check(&repo);
    assert_exit(&output, 0);
    assert_eq!(
        new_rows(&document),
        [
            row(
                "lock-timeout-missing",
                "new",
                "20240201000000_branch.sql",
                1
            ),
            row(
                "rls-enabled-no-policy",
                "new",
                "20240201000000_branch.sql",
                1
            )
        ],
        "{document:#}"
    );
}

#[test]
fn a_grant_exposes_an_old_table_and_a_revoke_causes_nothing() {
    // The base keeps `public.audit` away from the API roles; the branch grants it back.
    let base = "create table public.audit (id bigint primary key, what text);\n\
                revoke all on public.audit from anon, authenticated;\n";
    let repo = Repo::with_base(&[("20240101000000_audit.sql", base)]);
    repo.migration(
        "20240201000000_branch.sql",
        "select 1;\ngrant select on public.audit to anon;\n",
    );
    repo.commit("feature");
    let (output, document) = check(&repo);
    assert_exit(&output, 1);
    let found = rows(&document);
    assert!(
        found.contains(&row("rls-disabled", "new", "20240201000000_branch.sql", 2)),
        "{found:?}"
    );

    // Revoking what the base granted removes a finding and adds none.
    let base = "create table public.open (id bigint primary key);\n";
    let repo = Repo::with_base(&[("20240101000000_open.sql", base)]);
    repo.migration(
        "20240201000000_branch.sql",
        "revoke all on public.open from anon, authenticated;\n",
    );
    repo.commit("feature");
    let (output, document) = check(&repo);
    assert_exit(&output, 0);
    assert!(rows(&document).iter().all(|r| r.1 != "new"), "{document:#}");
}

#[test]
fn existing_findings_stay_existing_in_a_file_the_branch_touched() {
    // The base already has an exposed table without RLS; the branch edits that file (an
    // edited applied migration, itself new) and the old finding stays existing.
    let base = "create table public.legacy (id bigint primary key);\n";
    let repo = Repo::with_base(&[("20240101000000_legacy.sql", base)]);
    repo.migration(
        "20240101000000_legacy.sql",
        "-- documented\ncreate table public.legacy (id bigint primary key);\n",
    );
    repo.commit("feature");
    let (_, document) = check(&repo);
    let rows = rows(&document);
    assert!(
        rows.contains(&row(
            "rls-disabled",
            "existing",
            "20240101000000_legacy.sql",
            2
        )),
        "{rows:?}"
    );
    assert!(
        rows.iter()
            .any(|r| r.0 == "edited-applied-migration" && r.1 == "new"),
        "{rows:?}"
    );
}

#[test]
fn a_failure_the_base_shares_is_existing_and_one_the_branch_causes_is_new() {
    // The base's second file fails (it needs a table no migration creates).
    let broken = "alter table public.missing add column x int;\n";
    let repo = Repo::with_base(&[
        ("20240101000000_a.sql", "create table public.a (id bigint primary key);\nalter table public.a enable row level security;\n"),
        ("20240102000000_broken.sql", broken),
    ]);
    repo.migration("20240301000000_new.sql", "select 1;\n");
    repo.commit("feature");
    let (output, document) = check(&repo);
    assert_exit(&output, 0);
    assert!(
        rows(&document)
            .iter()
            .any(|r| r.0 == "apply-failed" && r.1 == "existing"),
        "{document:#}"
    );

    // A branch that edits the first file so that an untouched later file fails.
    let repo = Repo::with_base(&[
        ("20240101000000_a.sql", "create table public.a (id bigint primary key);\nalter table public.a enable row level security;\n"),
        ("20240102000000_b.sql", "alter table public.a add column note text;\n"),
    ]);
    repo.migration(
        "20240101000000_a.sql",
        "create table public.renamed (id bigint primary key);\nalter table public.renamed enable row level security;\n",
    );
    repo.commit("feature");
    let (output, document) = check(&repo);
    assert_exit(&output, 1);
    assert!(
        rows(&document)
            .iter()
            .any(|r| r.0 == "apply-failed" && r.1 == "new" && r.2 == "20240102000000_b.sql"),
        "{document:#}"
    );
}
