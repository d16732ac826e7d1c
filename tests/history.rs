//! The git-base comparison end to end: real repositories built in temporary folders, a
//! base branch and a feature branch, and the `schemagate` binary run on them.

mod support;

use support::{run_in, text};

use serde_json::Value;
use std::path::{Path, PathBuf};
use support::git::{git_in, Repo, MIGRATIONS};

/// A repository whose configuration keeps the static RLS and key rules (tested in
/// rules_fixtures.rs) out of the reports: these tests are about history, and expose no
/// schema they use.
fn repo() -> Repo {
    let repo = Repo::new();
    repo.write("schemagate.toml", "exposed-schemas = [\"api\"]\n");
    repo
}

/// A base branch `main` with three applied migrations, and `feature` checked out from it.
fn repo_with_base() -> Repo {
    repo().base(&[
        (
            "20240101000000_profiles.sql",
            "create table profiles (id int);\n",
        ),
        ("20240102000000_posts.sql", "create table posts (id int);\n"),
        ("20240103000000_tags.sql", "create table tags (id int);\n"),
    ])
}

/// Lints with `--format json` plus `args`; returns the exit code and the report.
fn lint_json(dir: &Path, args: &[&str]) -> (i32, Value) {
    let mut all = vec!["lint", MIGRATIONS, "--format", "json"];
    all.extend(args);
    let output = run_in(dir, &all);
    let report = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}{}", text(&output.stdout), text(&output.stderr)));
    (output.status.code().unwrap(), report)
}

fn findings(report: &Value) -> Vec<&Value> {
    report["findings"].as_array().unwrap().iter().collect()
}

/// (rule, severity, status, file name) of every finding.
fn summary(report: &Value) -> Vec<(String, String, String, String)> {
    findings(report)
        .into_iter()
        .map(|f| {
            let file = f["location"]["file"].as_str().unwrap_or("");
            let name = file.rsplit('/').next().unwrap_or("").to_string();
            (
                f["rule"].as_str().unwrap().to_string(),
                f["severity"].as_str().unwrap().to_string(),
                f["status"].as_str().unwrap().to_string(),
                name,
            )
        })
        .collect()
}

fn row(rule: &str, severity: &str, status: &str, file: &str) -> (String, String, String, String) {
    (rule.into(), severity.into(), status.into(), file.into())
}

fn finding<'a>(report: &'a Value, rule: &str) -> &'a Value {
    findings(report)
        .into_iter()
        .find(|f| f["rule"] == rule)
        .unwrap_or_else(|| panic!("no {rule} in {report:#}"))
}

#[test]
fn out_of_order_migration_names_a_fresh_version_after_the_base() {
    let repo = repo_with_base();
    repo.migration(
        "20240110000000_comments.sql",
        "create table comments (id int);\n",
    );
    repo.commit("feature: comments");
    repo.land_on_main(&[(
        "29990101000000_future.sql",
        "create table future (id int);\n",
    )]);
    repo.git(&["merge", "-q", "--no-edit", "main"]);

    let (code, report) = lint_json(repo.path(), &["--base", "main"]);
    assert_eq!(code, 1);
    assert_eq!(
        summary(&report),
        [row(
            "out-of-order-migration",
            "error",
            "new",
            "20240110000000_comments.sql"
        )]
    );
    let out_of_order = finding(&report, "out-of-order-migration");
    assert_eq!(out_of_order["source"], "history");
    assert_eq!(out_of_order["category"], "conflict");
    assert_eq!(out_of_order["location"]["line"], 1);
    let help = out_of_order["help"].as_str().unwrap();
    assert!(
        help.contains("29990101000001_comments.sql"),
        "help names the fresh file: {help}"
    );
    assert!(help.contains("fix --renumber --base main"), "{help}");
}

#[test]
fn edits_of_applied_migrations_are_errors_and_layout_only_edits_warnings() {
    let repo = repo_with_base();
    repo.migration(
        "20240101000000_profiles.sql",
        "-- profiles of users\ncreate table profiles (\n  id int /* key */\n);\n",
    );
    repo.migration(
        "20240102000000_posts.sql",
        "create table posts (id bigint);\n",
    );
    repo.commit("feature: edits");

    let (code, report) = lint_json(repo.path(), &["--base", "main"]);
    assert_eq!(code, 1);
    assert_eq!(
        summary(&report),
        [
            row(
                "edited-applied-migration",
                "error",
                "new",
                "20240102000000_posts.sql"
            ),
            row(
                "edited-applied-migration",
                "warning",
                "new",
                "20240101000000_profiles.sql"
            ),
        ]
    );
    let help = findings(&report)[0]["help"].as_str().unwrap();
    assert!(
        help.contains("git checkout main -- supabase/migrations/20240102000000_posts.sql"),
        "{help}"
    );

    // The layout-only edit alone passes the default gate.
    repo.git(&[
        "checkout",
        "-q",
        "main",
        "--",
        "supabase/migrations/20240102000000_posts.sql",
    ]);
    let (code, report) = lint_json(repo.path(), &["--base", "main"]);
    assert_eq!(code, 0, "{report:#}");
    // A CRLF checkout of an unchanged file is no edit at all.
    repo.migration("20240103000000_tags.sql", "create table tags (id int);\r\n");
    let (_, report) = lint_json(repo.path(), &["--base", "main"]);
    assert_eq!(summary(&report).len(), 1, "{report:#}");
}

#[test]
fn deleted_and_renamed_applied_migrations() {
    let repo = repo_with_base();
    repo.remove(&format!("{MIGRATIONS}/20240102000000_posts.sql"));
    repo.remove(&format!("{MIGRATIONS}/20240103000000_tags.sql"));
    // Same SQL under a new name (a comment added does not hide the rename).
    repo.migration(
        "20240105000000_create_tags.sql",
        "-- tags\ncreate table tags (id int);\n",
    );
    repo.commit("feature: delete and rename");

    let (code, report) = lint_json(repo.path(), &["--base", "main"]);
    assert_eq!(code, 1);
    assert_eq!(
        summary(&report),
        [
            row(
                "deleted-applied-migration",
                "error",
                "new",
                "20240102000000_posts.sql"
            ),
            row(
                "renamed-applied-migration",
                "error",
                "new",
                "20240105000000_create_tags.sql"
            ),
        ]
    );
    let renamed = finding(&report, "renamed-applied-migration");
    assert!(renamed["message"]
        .as_str()
        .unwrap()
        .contains("20240103000000_tags.sql"));
    assert!(renamed["help"]
        .as_str()
        .unwrap()
        .contains("rename it back to `supabase/migrations/20240103000000_tags.sql`"));

    // An intended deletion is silenced in the config like any other finding.
    repo.write(
        "schemagate.toml",
        "exposed-schemas = [\"api\"]\n[[ignore]]\nrule = \"deleted-applied-migration\"\nfile = \"20240102000000_posts.sql\"\nreason = \"squashed\"\n",
    );
    let (_, report) = lint_json(repo.path(), &["--base", "main"]);
    assert_eq!(
        summary(&report)[0],
        row(
            "deleted-applied-migration",
            "error",
            "suppressed",
            "20240102000000_posts.sql"
        )
    );
}

#[test]
fn the_same_version_added_on_both_branches_is_a_duplicate_and_what_the_base_added_is_not_deleted() {
    let repo = repo_with_base();
    repo.migration(
        "20240104000000_invoices.sql",
        "create table invoices (id int);\n",
    );
    repo.commit("feature: invoices");
    repo.land_on_main(&[(
        "20240104000000_orders.sql",
        "create table orders (id int);\n",
    )]);

    // The feature branch is behind main: main's new file is missing here, not deleted.
    let (code, report) = lint_json(repo.path(), &["--base", "main"]);
    assert_eq!(code, 1);
    assert_eq!(
        summary(&report),
        [row(
            "duplicate-version",
            "error",
            "new",
            "20240104000000_invoices.sql"
        )]
    );
    let duplicate = finding(&report, "duplicate-version");
    assert_eq!(duplicate["object"], "version 20240104000000");
    assert!(duplicate["message"]
        .as_str()
        .unwrap()
        .contains("20240104000000_orders.sql"));

    // In a merge checkout both files are here. Discovery alone would report the version on
    // the file that sorts second (main's, untouched by the branch: an existing finding);
    // the history finding replaces it on the branch's file, and the gate fails.
    repo.git(&["merge", "-q", "--no-edit", "main"]);
    let (code, report) = lint_json(repo.path(), &["--base", "main"]);
    assert_eq!(code, 1);
    assert_eq!(
        summary(&report),
        [row(
            "duplicate-version",
            "error",
            "new",
            "20240104000000_invoices.sql"
        )]
    );
}

#[test]
fn findings_on_files_the_branch_did_not_touch_are_existing() {
    let repo = repo_with_base();
    repo.migration("20240103500000_legacy.sql", "-- nothing here yet\n");
    repo.commit("main: an empty legacy migration");
    let base = repo.git(&["rev-parse", "HEAD"]);
    repo.migration("20240104000000_new.sql", "-- forgot the SQL\n");
    repo.commit("feature: an empty new migration");

    let (code, report) = lint_json(repo.path(), &["--fail-on", "info", "--base", &base]);
    assert_eq!(code, 1);
    assert_eq!(
        summary(&report),
        [
            row(
                "empty-migration",
                "info",
                "existing",
                "20240103500000_legacy.sql"
            ),
            row("empty-migration", "info", "new", "20240104000000_new.sql"),
        ]
    );
    assert_eq!(report["summary"]["existing"], 1);
    assert_eq!(report["summary"]["infos"], 1);

    // Without the new problem, the existing one alone does not fail the gate…
    repo.migration("20240104000000_new.sql", "create table n (id int);\n");
    let (code, _) = lint_json(repo.path(), &["--fail-on", "info", "--base", &base]);
    assert_eq!(code, 0);
    // …unless asked to, by flag or environment.
    let (code, _) = lint_json(
        repo.path(),
        &["--fail-on", "info", "--base", &base, "--fail-on-existing"],
    );
    assert_eq!(code, 1);
    let output = support::schemagate()
        .args(["lint", MIGRATIONS, "--format", "json", "--fail-on", "info"])
        .current_dir(repo.path())
        .env("SCHEMAGATE_BASE", &base)
        .env("SCHEMAGATE_FAIL_ON_EXISTING", "true")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["summary"]["existing"], 1);

    // Without a base every finding is new, and -v says the history checks were skipped.
    let output = run_in(
        repo.path(),
        &["lint", MIGRATIONS, "-v", "--fail-on", "info"],
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(text(&output.stderr).contains("history checks skipped"));
}

#[test]
fn github_actions_compares_with_the_pull_requests_base_commit() {
    let repo = repo_with_base();
    let base = repo.git(&["rev-parse", "main"]);
    repo.remove(&format!("{MIGRATIONS}/20240101000000_profiles.sql"));
    repo.commit("feature: delete");
    let event = repo.path().join("event.json");
    let lint = || {
        support::schemagate()
            .args(["lint", MIGRATIONS, "--format", "json"])
            .current_dir(repo.path())
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_EVENT_PATH", &event)
            .output()
            .unwrap()
    };
    let deleted = [row(
        "deleted-applied-migration",
        "error",
        "new",
        "20240101000000_profiles.sql",
    )];
    // A pull request, and a merge queue: both name the base commit.
    for payload in [
        format!(
            r#"{{"pull_request": {{"number": 7, "head": {{"sha": "feed"}}, "base": {{"sha": "{base}"}}}}}}"#
        ),
        format!(r#"{{"merge_group": {{"head_sha": "feed", "base_sha": "{base}"}}}}"#),
    ] {
        std::fs::write(&event, &payload).unwrap();
        let output = lint();
        support::assert_exit(&output, 1);
        let report: Value = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(summary(&report), deleted, "{payload}");
        assert!(finding(&report, "deleted-applied-migration")["message"]
            .as_str()
            .unwrap()
            .contains(&base));
    }

    // A push event has no base: nothing to compare with, so no history finding.
    std::fs::write(&event, r#"{"ref": "refs/heads/feature"}"#).unwrap();
    let output = lint();
    support::assert_exit(&output, 0);
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(summary(&report).is_empty(), "{report:#}");

    // A payload that cannot be read is an environment error, not "no base".
    std::fs::write(&event, "{truncated").unwrap();
    let output = lint();
    support::assert_exit(&output, 3);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("is not JSON") && stderr.contains("--base"),
        "{stderr}"
    );
}

#[test]
fn nothing_changed_in_the_folder_is_detected() {
    let repo = repo_with_base();
    repo.write("README.md", "docs only\n");
    repo.commit("feature: docs");
    let root = repo.path().join(MIGRATIONS);
    let layout = schemagate::migrations::Layout::Supabase;
    let comparison = schemagate::history::compare(&root, layout, "main").unwrap();
    assert!(comparison.changed_migrations().is_empty());
    assert_eq!(comparison.unchanged.len(), 3);

    repo.migration("20240104000000_more.sql", "create table more (id int);\n");
    let comparison = schemagate::history::compare(&root, layout, "main").unwrap();
    let changes = comparison.changed_migrations();
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0].kind, schemagate::history::ChangeKind::Added);
    assert!(changes[0].path.ends_with("20240104000000_more.sql"));
}

#[test]
fn renumber_dry_run_then_write_keeps_the_branchs_order() {
    let repo = repo_with_base();
    repo.migration("20240105000000_first.sql", "create table first (id int);\n");
    repo.migration(
        "20240106000000_second.sql",
        "create table second (id int);\n",
    );
    repo.commit("feature: two migrations");
    repo.land_on_main(&[("29990101000000_newer.sql", "create table newer (id int);\n")]);
    repo.git(&["merge", "-q", "--no-edit", "main"]);

    let dry = run_in(
        repo.path(),
        &["fix", "--renumber", MIGRATIONS, "--base", "main"],
    );
    assert_eq!(dry.status.code(), Some(0), "{}", text(&dry.stderr));
    let stdout = text(&dry.stdout);
    assert!(stdout.contains(
        "supabase/migrations/20240105000000_first.sql -> supabase/migrations/29990101000001_first.sql"
    ), "{stdout}");
    assert!(stdout.contains(
        "supabase/migrations/20240106000000_second.sql -> supabase/migrations/29990101000002_second.sql"
    ), "{stdout}");
    assert!(stdout.contains("dry run"));
    assert!(repo.exists(&format!("{MIGRATIONS}/20240105000000_first.sql")));

    let write = run_in(
        repo.path(),
        &["fix", "--renumber", MIGRATIONS, "--base", "main", "--write"],
    );
    assert_eq!(write.status.code(), Some(0), "{}", text(&write.stderr));
    assert!(!repo.exists(&format!("{MIGRATIONS}/20240105000000_first.sql")));
    assert!(repo.exists(&format!("{MIGRATIONS}/29990101000001_first.sql")));
    assert!(repo.exists(&format!("{MIGRATIONS}/29990101000002_second.sql")));
    let (code, report) = lint_json(repo.path(), &["--base", "main"]);
    assert_eq!((code, summary(&report)), (0, vec![]));

    let again = run_in(
        repo.path(),
        &["fix", "--renumber", MIGRATIONS, "--base", "main"],
    );
    assert!(text(&again.stdout).contains("nothing to renumber"));
}

#[test]
fn renumber_moves_down_files_with_their_up_files() {
    let repo = repo();
    let folder = "db/migrations";
    repo.write(
        &format!("{folder}/0001_init.up.sql"),
        "create table a (id int);\n",
    );
    repo.write(&format!("{folder}/0001_init.down.sql"), "drop table a;\n");
    repo.commit("base");
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.write(
        &format!("{folder}/0002_b.up.sql"),
        "create table b (id int);\n",
    );
    repo.write(&format!("{folder}/0002_b.down.sql"), "drop table b;\n");
    repo.commit("feature: b");
    repo.git(&["checkout", "-q", "main"]);
    repo.write(
        &format!("{folder}/0002_c.up.sql"),
        "create table c (id int);\n",
    );
    repo.write(&format!("{folder}/0002_c.down.sql"), "drop table c;\n");
    repo.commit("main: c");
    repo.git(&["checkout", "-q", "feature"]);

    let output = run_in(
        repo.path(),
        &["fix", "--renumber", folder, "--base", "main", "--write"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(repo.exists(&format!("{folder}/0003_b.up.sql")));
    assert!(repo.exists(&format!("{folder}/0003_b.down.sql")));
    assert!(!repo.exists(&format!("{folder}/0002_b.up.sql")));
    assert!(repo.exists(&format!("{folder}/0001_init.up.sql")));
}

#[test]
fn renumber_refuses_sqitch_and_needs_a_base() {
    let repo = repo();
    repo.write(
        "db/sqitch.plan",
        "%project=x\n\nusers 2024-01-01T00:00:00Z A <a@b> # users\n",
    );
    repo.write("db/deploy/users.sql", "create table users (id int);\n");
    repo.commit("base");
    let output = run_in(repo.path(), &["fix", "--renumber", "db", "--base", "main"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr).contains("sqitch.plan"),
        "{}",
        text(&output.stderr)
    );

    let output = run_in(repo.path(), &["fix", "--renumber", "db"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("--base"));
}

#[test]
fn a_shallow_clone_without_the_base_is_an_environment_error_with_the_fix() {
    let repo = repo_with_base();
    repo.migration("20240104000000_more.sql", "create table more (id int);\n");
    repo.commit("feature: more");
    let base = repo.git(&["rev-parse", "main"]);
    let clones = tempfile::tempdir().unwrap();
    let url = format!("file://{}", repo.path().display());
    git_in(
        clones.path(),
        &[
            "clone", "-q", "--depth", "1", "--branch", "feature", &url, "shallow",
        ],
    );
    let clone: PathBuf = clones.path().join("shallow");

    let output = run_in(&clone, &["lint", MIGRATIONS, "--base", &base]);
    assert_eq!(output.status.code(), Some(3));
    let stderr = text(&output.stderr);
    assert!(stderr.contains("shallow"), "{stderr}");
    assert!(stderr.contains("fetch-depth: 0"), "{stderr}");
    assert!(
        stderr.contains(&format!("git fetch origin {base}")),
        "{stderr}"
    );

    // Fetching the base as the message says makes the same run work.
    git_in(&clone, &["fetch", "-q", "origin", &base]);
    let output = run_in(&clone, &["lint", MIGRATIONS, "--base", &base]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
}

#[test]
fn a_base_outside_git_or_unknown_is_an_environment_error() {
    let repo = repo_with_base();
    let output = run_in(
        repo.path(),
        &["lint", MIGRATIONS, "--base", "no-such-branch"],
    );
    assert_eq!(output.status.code(), Some(3));
    assert!(text(&output.stderr).contains("`no-such-branch` is not in this clone"));

    let plain = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(plain.path().join(MIGRATIONS)).unwrap();
    let output = run_in(plain.path(), &["lint", MIGRATIONS, "--base", "main"]);
    assert_eq!(output.status.code(), Some(3));
    assert!(text(&output.stderr).contains("not inside a git repository"));
}

#[test]
fn renumber_renames_prisma_migration_folders() {
    let repo = repo();
    let folder = "prisma/migrations";
    repo.write(
        &format!("{folder}/20240101000000_init/migration.sql"),
        "create table a (id int);\n",
    );
    repo.commit("base");
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.write(
        &format!("{folder}/20240102000000_b/migration.sql"),
        "create table b (id int);\n",
    );
    repo.commit("feature: b");
    repo.git(&["checkout", "-q", "main"]);
    repo.write(
        &format!("{folder}/29990101000000_c/migration.sql"),
        "create table c (id int);\n",
    );
    repo.commit("main: c");
    repo.git(&["checkout", "-q", "feature"]);

    let output = run_in(
        repo.path(),
        &["fix", "--renumber", folder, "--base", "main", "--write"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(text(&output.stdout).contains(
        "renamed prisma/migrations/20240102000000_b -> prisma/migrations/29990101000001_b"
    ));
    assert!(repo.exists(&format!("{folder}/29990101000001_b/migration.sql")));
    assert!(!repo.exists(&format!("{folder}/20240102000000_b")));
}

#[test]
fn locking_rules_know_what_the_branch_creates() {
    // `tags` is on the base (deployed); the branch adds `labels` in one migration and
    // indexes both tables in the next.
    let repo = repo_with_base();
    repo.migration(
        "20240104000000_labels.sql",
        "create table labels (id int, name text);\n",
    );
    repo.migration(
        "20240105000000_indexes.sql",
        "create index labels_name_idx on labels (name);\ncreate index tags_id_idx on tags (id);\n",
    );
    repo.commit("feature: labels");

    let (_, report) = lint_json(repo.path(), &["--base", "main"]);
    let indexed: Vec<&str> = findings(&report)
        .into_iter()
        .filter(|f| f["rule"] == "require-concurrent-index-creation")
        .map(|f| f["object"].as_str().unwrap())
        .collect();
    assert_eq!(indexed, ["public.tags_id_idx"], "{report:#}");

    // Without a base, nothing says `labels` is not deployed yet.
    let (_, report) = lint_json(repo.path(), &[]);
    let mut indexed: Vec<&str> = findings(&report)
        .into_iter()
        .filter(|f| f["rule"] == "require-concurrent-index-creation")
        .map(|f| f["object"].as_str().unwrap())
        .collect();
    indexed.sort_unstable();
    assert_eq!(indexed, ["public.labels_name_idx", "public.tags_id_idx"]);
}
