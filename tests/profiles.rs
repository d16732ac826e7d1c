//! Project profiles end to end: plain PostgreSQL projects (here Flyway and Prisma at a
//! repository root) get no rules about an API they do not have, no Supabase prelude, and
//! still every rule that matters to any PostgreSQL; `--profile` and a configured API switch
//! the API rules on. Real PostgreSQL (the tool's ephemeral cluster).

mod support;

use serde_json::Value;
use std::path::Path;
use support::{assert_exit, run_in};

/// Orders and customers in `public`: a foreign key without an index, and a later
/// migration that adds a required column to a table an earlier one created.
const FIRST: &str = "create table public.customers (id bigint primary key, email text);
create table public.orders (
  id bigint primary key,
  customer_id bigint not null references public.customers (id),
  password_hash text
);
";
const SECOND: &str = "alter table public.customers add column plan text not null;\n";
/// The role a PostgREST API serves anonymous requests as.
const THIRD: &str = "create role web_anon nologin;
grant usage on schema public to web_anon;
grant select on public.orders to web_anon;
";

fn write(root: &Path, files: &[(&str, &str)]) {
    for (path, text) in files {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

fn rules_of(dir: &Path, extra: &[&str]) -> Vec<String> {
    let mut args = vec!["check", ".", "--format", "json"];
    args.extend(extra);
    let output = run_in(dir, &args);
    let document: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    let mut rules: Vec<String> = document["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap().to_string())
        .collect();
    rules.sort();
    rules.dedup();
    rules
}

#[test]
fn plain_postgres_projects_get_no_api_rules_and_keep_the_others() {
    let flyway = tempfile::tempdir().unwrap();
    write(
        flyway.path(),
        &[
            ("pom.xml", "<project/>"),
            ("src/main/resources/db/migration/V1__init.sql", FIRST),
            ("src/main/resources/db/migration/V2__plan.sql", SECOND),
            ("src/main/resources/db/migration/V3__api.sql", THIRD),
        ],
    );
    let prisma = tempfile::tempdir().unwrap();
    write(
        prisma.path(),
        &[
            ("package.json", "{}"),
            ("prisma/migrations/20240101000000_init/migration.sql", FIRST),
            (
                "prisma/migrations/20240102000000_plan/migration.sql",
                SECOND,
            ),
            ("prisma/migrations/20240103000000_api/migration.sql", THIRD),
            (
                "prisma/migrations/migration_lock.toml",
                "provider = \"postgresql\"",
            ),
        ],
    );
    for project in [flyway.path(), prisma.path()] {
        let rules = rules_of(project, &[]);
        assert_eq!(
            rules,
            ["adding-required-field", "unindexed-foreign-key"],
            "{}",
            project.display()
        );
        // The same folder served by PostgREST as `web_anon`: the API rules apply.
        std::fs::write(
            project.join("schemagate.toml"),
            "exposed-schemas = [\"public\"]\napi-roles = [\"web_anon\"]\n",
        )
        .unwrap();
        let rules = rules_of(project, &[]);
        assert!(
            rules.iter().any(|r| r == "rls-disabled")
                && rules.iter().any(|r| r == "sensitive-columns-exposed"),
            "{rules:?}"
        );
        std::fs::remove_file(project.join("schemagate.toml")).unwrap();
        // --profile supabase: the prelude and every Supabase rule.
        let rules = rules_of(project, &["--profile", "supabase"]);
        assert!(
            rules.iter().any(|r| r == "rls-disabled")
                && rules.iter().any(|r| r == "sensitive-columns-exposed"),
            "{rules:?}"
        );
    }
}

#[test]
fn check_at_a_root_without_migrations_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), &[("README.md", "hello")]);
    let output = run_in(dir.path(), &["check", "."]);
    assert_exit(&output, 2);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("no migrations found"), "{stderr}");
}

#[test]
fn a_supabase_api_failure_in_a_plain_project_hints_at_the_profile() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[(
            "db/migrations/001_notes.sql",
            "create table public.notes (id bigint primary key);\ngrant select on public.notes to authenticated;\n",
        )],
    );
    let output = run_in(dir.path(), &["check", ".", "--format", "json"]);
    assert_exit(&output, 1);
    let document: Value = serde_json::from_slice(&output.stdout).unwrap();
    let failed = document["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "apply-failed")
        .expect("the grant fails without the Supabase roles");
    let help = failed["help"].as_str().unwrap();
    assert!(help.contains("--profile supabase"), "{help}");
}
