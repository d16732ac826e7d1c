//! Baselines on a real PostgreSQL: a schema dump applied after the prelude and before the
//! migrations (`--baseline`, `baseline` in schemagate.toml), `baseline-version` (linted, not
//! applied), the hint when a history does not rebuild from scratch, and
//! `dump-schema --database-url` writing a baseline from a live database.

mod support;

use serde_json::Value;
use std::path::Path;
use support::git::Repo;
use support::pg::TestServer;
use support::{run_in, text};

/// What `supabase db dump` writes for a project with one table: settings, the `public`
/// schema restated, extensions in `extensions`, ownerships, grants to the API roles,
/// default privileges (of `postgres`, and of `supabase_admin`, which the apply role may not
/// change).
const SUPABASE_DUMP: &str = r#"

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

CREATE SCHEMA IF NOT EXISTS "public";
ALTER SCHEMA "public" OWNER TO "pg_database_owner";
COMMENT ON SCHEMA "public" IS 'standard public schema';

CREATE EXTENSION IF NOT EXISTS "pgcrypto" WITH SCHEMA "extensions";
CREATE EXTENSION IF NOT EXISTS "uuid-ossp" WITH SCHEMA "extensions";

SET default_tablespace = '';
SET default_table_access_method = "heap";

CREATE TABLE IF NOT EXISTS "public"."accounts" (
    "id" "uuid" DEFAULT "extensions"."gen_random_uuid"() NOT NULL,
    "name" "text" NOT NULL
);

ALTER TABLE "public"."accounts" OWNER TO "postgres";

ALTER TABLE ONLY "public"."accounts"
    ADD CONSTRAINT "accounts_pkey" PRIMARY KEY ("id");

ALTER TABLE "public"."accounts" ENABLE ROW LEVEL SECURITY;

CREATE POLICY "read own" ON "public"."accounts" FOR SELECT TO "authenticated" USING (true);

ALTER PUBLICATION "supabase_realtime" OWNER TO "postgres";

GRANT USAGE ON SCHEMA "public" TO "postgres";
GRANT USAGE ON SCHEMA "public" TO "anon";
GRANT USAGE ON SCHEMA "public" TO "authenticated";
GRANT USAGE ON SCHEMA "public" TO "service_role";

GRANT ALL ON TABLE "public"."accounts" TO "anon";
GRANT ALL ON TABLE "public"."accounts" TO "authenticated";
GRANT ALL ON TABLE "public"."accounts" TO "service_role";

ALTER DEFAULT PRIVILEGES FOR ROLE "postgres" IN SCHEMA "public" GRANT ALL ON TABLES TO "anon";
ALTER DEFAULT PRIVILEGES FOR ROLE "supabase_admin" IN SCHEMA "public" GRANT ALL ON TABLES TO "anon";

RESET ALL;
"#;

/// The branch's first migration changes a table only the baseline creates.
const ADD_EMAIL: &str = "alter table public.accounts add column email text;\n";

/// Runs `check` in `dir` with JSON output; the exit code, the document and stderr.
fn check(dir: &Path, extra: &[&str]) -> (i32, Value, String) {
    let mut args = vec!["check", ".", "--format", "json"];
    args.extend_from_slice(extra);
    let output = run_in(dir, &args);
    let document = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "no JSON ({e}): {}\nstderr: {}",
            text(&output.stdout),
            text(&output.stderr)
        )
    });
    (
        output.status.code().unwrap_or(-1),
        document,
        text(&output.stderr),
    )
}

fn with_rule<'a>(document: &'a Value, rule: &str) -> Vec<&'a Value> {
    document["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == rule)
        .collect()
}

/// Each applied file's name and status.
fn files(document: &Value) -> Vec<(String, String)> {
    document["apply"][0]["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let path = f["path"].as_str().unwrap();
            let name = path.rsplit('/').next().unwrap().to_string();
            (name, f["status"].as_str().unwrap().to_string())
        })
        .collect()
}

#[test]
fn a_history_that_starts_on_a_dump_applies_with_the_baseline_and_says_how_without() {
    let dir = support::supabase_project(&[("20240102000000_email.sql", ADD_EMAIL)]);
    std::fs::write(dir.path().join("supabase/baseline.sql"), SUPABASE_DUMP).unwrap();

    let (code, document, _) = check(dir.path(), &["-q"]);
    assert_eq!(code, 1, "{document:#}");
    let failed = with_rule(&document, "apply-failed");
    assert_eq!(failed.len(), 1, "{document:#}");
    assert!(
        failed[0]["message"]
            .as_str()
            .unwrap()
            .contains("\"public.accounts\" does not exist"),
        "{document:#}"
    );
    let help = failed[0]["help"].as_str().unwrap();
    assert!(
        help.contains("baseline") && help.contains("dump-schema --database-url"),
        "{help}"
    );

    let (_, document, stderr) = check(dir.path(), &["--baseline", "supabase/baseline.sql", "-v"]);
    assert_eq!(
        files(&document),
        [(
            "20240102000000_email.sql".to_string(),
            "applied".to_string()
        )],
        "{document:#}\n{stderr}"
    );
    assert!(
        with_rule(&document, "apply-failed").is_empty(),
        "{document:#}"
    );
    // What the server already has or the apply role may not change is skipped, and said.
    let baseline = &document["apply"][0]["baseline"];
    assert_eq!(baseline["failed"], false, "{document:#}");
    let skipped: Vec<&str> = baseline["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    assert!(
        skipped
            .iter()
            .any(|s| s.contains("FOR ROLE \"supabase_admin\"")),
        "{skipped:?}"
    );
    assert!(
        !skipped.iter().any(|s| s.contains("CREATE TABLE")),
        "{skipped:?}"
    );
    assert!(stderr.contains("1 statement skipped"), "{stderr}");
    // No finding points into the baseline: its objects are production's, not the branch's.
    for finding in document["findings"].as_array().unwrap() {
        assert!(
            !finding["location"]["file"]
                .as_str()
                .is_some_and(|f| f.ends_with("baseline.sql")),
            "{finding:#}"
        );
    }
}

#[test]
fn the_config_key_and_baseline_version_skip_the_migrations_the_dump_contains() {
    // The contained migration created `accounts`: applied after the baseline it would fail.
    let contained = "create table public.accounts (id uuid primary key, name text not null);\n\
        create table public.a_table_whose_name_is_much_longer_than_sixty_three_bytes_in_total (id int primary key);\n";
    let dir = support::supabase_project(&[
        ("20240101000000_accounts.sql", contained),
        ("20240102000000_email.sql", ADD_EMAIL),
    ]);
    std::fs::write(dir.path().join("supabase/baseline.sql"), SUPABASE_DUMP).unwrap();
    std::fs::write(
        dir.path().join("schemagate.toml"),
        "baseline = \"supabase/baseline.sql\"\nbaseline-version = \"20240101000000\"\n",
    )
    .unwrap();
    let (_, document, stderr) = check(dir.path(), &["-q"]);
    assert_eq!(
        files(&document),
        [(
            "20240102000000_email.sql".to_string(),
            "applied".to_string()
        )],
        "{document:#}\n{stderr}"
    );
    // Still linted.
    let long = with_rule(&document, "identifier-too-long");
    assert_eq!(long.len(), 1, "{document:#}");
    assert!(long[0]["location"]["file"]
        .as_str()
        .unwrap()
        .ends_with("20240101000000_accounts.sql"));

    // Without the version, the contained migration runs again and fails.
    std::fs::write(
        dir.path().join("schemagate.toml"),
        "baseline = \"supabase/baseline.sql\"\n",
    )
    .unwrap();
    let (code, document, _) = check(dir.path(), &["-q"]);
    assert_eq!(code, 1);
    assert_eq!(
        files(&document)[0],
        (
            "20240101000000_accounts.sql".to_string(),
            "failed".to_string()
        )
    );

    // A version without a baseline is a configuration error.
    std::fs::write(
        dir.path().join("schemagate.toml"),
        "baseline-version = \"20240101000000\"\n",
    )
    .unwrap();
    let output = run_in(dir.path(), &["check", "."]);
    support::assert_exit(&output, 2);
    assert!(
        text(&output.stderr).contains("without a baseline"),
        "{}",
        text(&output.stderr)
    );
}

#[test]
fn a_baseline_that_does_not_apply_stops_at_its_statement() {
    let dir = support::supabase_project(&[("20240102000000_email.sql", ADD_EMAIL)]);
    std::fs::write(
        dir.path().join("base.sql"),
        "create table public.accounts (id int);\ncreate table public.broken (id no_such_type);\n",
    )
    .unwrap();
    let (code, document, _) = check(dir.path(), &["-q", "--baseline", "base.sql"]);
    assert_eq!(code, 1);
    let failed = with_rule(&document, "apply-failed");
    assert_eq!(failed.len(), 1, "{document:#}");
    assert_eq!(failed[0]["location"]["file"], "base.sql");
    assert_eq!(failed[0]["location"]["line"], 2);
    assert_eq!(
        files(&document),
        [(
            "20240102000000_email.sql".to_string(),
            "not_reached".to_string()
        )]
    );
}

#[test]
fn a_failure_in_a_file_the_branch_did_not_change_suggests_a_baseline() {
    let repo = Repo::with_base(&[("20240101000000_email.sql", ADD_EMAIL)]);
    repo.migration(
        "20240103000000_more.sql",
        "create table public.notes (id int primary key);\nalter table public.notes enable row level security;\n",
    );
    repo.commit("feature");
    let (_, document, _) = check(repo.path(), &["-q", "--base", "main"]);
    let failed = with_rule(&document, "apply-failed");
    assert_eq!(failed.len(), 1, "{document:#}");
    let help = failed[0]["help"].as_str().unwrap();
    assert!(
        help.contains("is not changed by this branch") && help.contains("baseline-version"),
        "{help}"
    );

    // With the baseline, base and branch both start from it: everything applies.
    repo.write("supabase/baseline.sql", SUPABASE_DUMP);
    repo.write("schemagate.toml", "baseline = \"supabase/baseline.sql\"\n");
    let (code, document, stderr) = check(repo.path(), &["-q", "--base", "main"]);
    assert!(
        files(&document)
            .iter()
            .all(|(_, status)| status == "applied"),
        "{document:#}\n{stderr}"
    );
    assert!(with_rule(&document, "order-dependent-schema").is_empty());
    assert_eq!(code, 0, "{document:#}\n{stderr}");
}

#[test]
fn pg_dump_of_a_live_database_by_dump_schema_is_a_baseline_without_supabase_schemas() {
    let server = TestServer::start();
    server.execute(
        "postgres",
        "create role supabase_admin; create role anon; create role reporting;\n\
         create schema auth; create table auth.users (id uuid primary key);\n\
         create schema storage; create table storage.objects (id uuid primary key);\n\
         create table public.accounts (id uuid primary key, name text not null, owner uuid references auth.users);\n\
         alter table public.accounts enable row level security;\n\
         create view public.names as select name from public.accounts;\n\
         grant select on public.accounts to reporting;\n\
         create function public.account_count() returns bigint language sql stable set search_path = '' as 'select count(*) from public.accounts';\n",
    );
    // A read-only database (a replica, say) is enough: the dump only reads.
    server.execute(
        "postgres",
        "alter database postgres set default_transaction_read_only = on",
    );
    let dir = support::supabase_project(&[("20240102000000_email.sql", ADD_EMAIL)]);
    let url = server.url("postgres");
    let output = run_in(
        dir.path(),
        &["dump-schema", "--database-url", &url, "-o", "base.sql"],
    );
    support::assert_exit(&output, 0);
    assert!(
        text(&output.stderr).contains("without the"),
        "{}",
        text(&output.stderr)
    );
    let dump = std::fs::read_to_string(dir.path().join("base.sql")).unwrap();
    assert!(dump.contains("CREATE TABLE public.accounts"), "{dump}");
    assert!(
        dump.contains("CREATE OR REPLACE VIEW public.names"),
        "{dump}"
    );
    for managed in [
        "auth.users",
        "SCHEMA auth",
        "storage.objects",
        "SCHEMA storage",
    ] {
        assert!(
            !dump.contains(&format!("CREATE {managed}")),
            "{managed}: {dump}"
        );
    }
    assert!(!dump.contains("OWNER TO"), "{dump}");
    assert!(!dump.contains(&url), "{dump}");
    // The round trip: the dump is a baseline the branch's migration applies on. The foreign
    // key to auth.users resolves against the prelude's; the grant to a role this server
    // does not have is skipped.
    let (_, document, stderr) = check(dir.path(), &["--baseline", "base.sql", "-v"]);
    assert_eq!(
        files(&document),
        [(
            "20240102000000_email.sql".to_string(),
            "applied".to_string()
        )],
        "{document:#}\n{stderr}"
    );
    let skipped = document["apply"][0]["baseline"]["skipped"].to_string();
    assert!(skipped.contains("reporting"), "{skipped}");
}

#[test]
fn findings_on_what_only_the_baseline_made_are_left_out_and_changes_point_at_the_migration() {
    // Without RLS in the exposed schema: rls-disabled, were it the migrations' doing.
    let dump = "create table public.legacy (id int primary key);\n\
        create table public.accounts (id int primary key);\n\
        alter table public.accounts enable row level security;\n";
    let dir = support::supabase_project(&[(
        "20240102000000_open.sql",
        "alter table public.accounts disable row level security;\n",
    )]);
    std::fs::write(dir.path().join("supabase/baseline.sql"), dump).unwrap();
    std::fs::write(
        dir.path().join("schemagate.toml"),
        "baseline = \"supabase/baseline.sql\"\n",
    )
    .unwrap();
    let located = |document: &Value| -> Vec<(String, String)> {
        with_rule(document, "rls-disabled")
            .iter()
            .map(|f| {
                (
                    f["object"].as_str().unwrap_or_default().to_string(),
                    f["location"]["file"].as_str().unwrap_or("none").to_string(),
                )
            })
            .collect()
    };
    let expected = [(
        "public.accounts".to_string(),
        "supabase/migrations/20240102000000_open.sql".to_string(),
    )];
    // The catalog's findings, after the apply…
    let (_, document, stderr) = check(dir.path(), &["-q"]);
    assert!(
        files(&document)
            .iter()
            .all(|(_, status)| status == "applied"),
        "{document:#}\n{stderr}"
    );
    assert_eq!(located(&document), expected, "{document:#}");
    // …and the static ones, from the model the baseline seeds.
    let output = run_in(dir.path(), &["lint", ".", "--format", "json"]);
    let document: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(located(&document), expected, "{document:#}");
}

#[test]
fn a_full_pg_dump_of_a_supabase_database_applies_as_a_baseline() {
    // `pg_dump --schema-only` of a Supabase database without exclusions: auth, storage,
    // realtime, their ownerships, grants and Supabase's default privileges included.
    let server = TestServer::start();
    server.execute("postgres", schemagate::postgres::SUPABASE_PRELUDE);
    server.execute(
        "postgres",
        "create table public.accounts (id uuid primary key default gen_random_uuid(), name text not null, owner uuid references auth.users);\n\
         alter table public.accounts enable row level security;\n\
         create policy \"own\" on public.accounts for select to authenticated using (owner = auth.uid());\n",
    );
    let pg_dump = support::pg::pg_majors().pop().unwrap().dir.join("pg_dump");
    let output = std::process::Command::new(pg_dump)
        .args(["--schema-only", "--dbname", &server.url("postgres")])
        .output()
        .unwrap();
    support::assert_exit(&output, 0);
    let dir = support::supabase_project(&[("20240102000000_email.sql", ADD_EMAIL)]);
    std::fs::write(dir.path().join("full.sql"), &output.stdout).unwrap();
    let (_, document, stderr) = check(dir.path(), &["-q", "--baseline", "full.sql"]);
    assert_eq!(
        files(&document),
        [(
            "20240102000000_email.sql".to_string(),
            "applied".to_string()
        )],
        "{document:#}\n{stderr}"
    );
    let skipped = document["apply"][0]["baseline"]["skipped"].to_string();
    assert!(skipped.contains("CREATE TABLE auth.users"), "{skipped}");
    assert!(!skipped.contains("public.accounts"), "{skipped}");
}

#[test]
fn squash_on_a_baseline_keeps_its_objects_and_says_to_drop_the_baseline_pg_dump() {
    let dir = support::supabase_project(&[("20240102000000_email.sql", ADD_EMAIL)]);
    std::fs::write(dir.path().join("supabase/baseline.sql"), SUPABASE_DUMP).unwrap();
    let output = run_in(
        dir.path(),
        &[
            "squash",
            "supabase/migrations",
            "--baseline",
            "supabase/baseline.sql",
            "--write",
        ],
    );
    support::assert_exit(&output, 0);
    assert!(
        text(&output.stdout).contains("holds the baseline's objects too"),
        "{}",
        text(&output.stdout)
    );
    let squashed = std::fs::read_to_string(
        dir.path()
            .join("supabase/migrations/20240102000000_squashed.sql"),
    )
    .unwrap();
    assert!(
        squashed.contains("CREATE TABLE public.accounts"),
        "{squashed}"
    );
    assert!(squashed.contains("email text"), "{squashed}");
    // Without the baseline, the squashed folder rebuilds from scratch.
    let (_, document, stderr) = check(dir.path(), &["-q"]);
    assert_eq!(
        files(&document),
        [(
            "20240102000000_squashed.sql".to_string(),
            "applied".to_string()
        )],
        "{document:#}\n{stderr}"
    );
}

#[test]
fn the_baseline_runs_as_the_apply_role_not_as_a_superuser() {
    // A pull request can change the baseline: it gets no more power than a migration.
    let dir = support::supabase_project(&[("20240102000000_email.sql", ADD_EMAIL)]);
    std::fs::write(
        dir.path().join("base.sql"),
        "create table public.accounts (id int);\ncopy (select 1) to program 'true';\n",
    )
    .unwrap();
    let (code, document, _) = check(dir.path(), &["-q", "--baseline", "base.sql"]);
    assert_eq!(code, 1);
    let failed = with_rule(&document, "apply-failed");
    assert_eq!(failed.len(), 1, "{document:#}");
    let message = failed[0]["message"].as_str().unwrap();
    assert!(message.contains("42501"), "{message}");
    assert_eq!(failed[0]["location"]["line"], 2);
}

#[test]
fn declarative_schema_files_compare_with_the_baseline_and_the_migrations() {
    // The schema files declare the whole schema; the migrations build it on the baseline.
    let dir = support::supabase_project(&[("20240102000000_email.sql", ADD_EMAIL)]);
    std::fs::write(dir.path().join("supabase/config.toml"), "").unwrap();
    std::fs::write(dir.path().join("supabase/baseline.sql"), SUPABASE_DUMP).unwrap();
    std::fs::create_dir(dir.path().join("supabase/schemas")).unwrap();
    std::fs::write(
        dir.path().join("supabase/schemas/accounts.sql"),
        "create table public.accounts (id uuid default extensions.gen_random_uuid() not null primary key, name text not null, email text);\n\
         alter table public.accounts enable row level security;\n\
         create policy \"read own\" on public.accounts for select to authenticated using (true);\n",
    )
    .unwrap();
    let (_, document, stderr) = check(dir.path(), &["-q", "--baseline", "supabase/baseline.sql"]);
    assert_eq!(
        files(&document),
        [(
            "20240102000000_email.sql".to_string(),
            "applied".to_string()
        )],
        "{document:#}\n{stderr}"
    );
    assert!(
        with_rule(&document, "declarative-schema-drift").is_empty(),
        "{document:#}"
    );
    // A column the schema files have and neither the baseline nor a migration adds is drift.
    std::fs::write(
        dir.path()
            .join("supabase/migrations/20240102000000_email.sql"),
        "select 1;\n",
    )
    .unwrap();
    let (_, document, _) = check(dir.path(), &["-q", "--baseline", "supabase/baseline.sql"]);
    assert_eq!(
        with_rule(&document, "declarative-schema-drift").len(),
        1,
        "{document:#}"
    );
}
