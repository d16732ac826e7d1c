//! `schemagate check` against a real PostgreSQL: failure positions and causes, emulated
//! extensions, Supabase-managed schemas, timeouts, non-transactional statements, and
//! missing binaries (who migrations run as: tests/apply_security.rs). Each test runs the
//! binary on a fixture folder; the prepared data directory is cached under target/ so
//! clusters start from a copy.

mod support;

use serde_json::Value;
use std::path::Path;

/// Runs `check` with JSON output; returns the exit code and the document.
fn check(dir: &Path, extra: &[&str]) -> (i32, Value) {
    let output = support::schemagate()
        .arg("check")
        .arg(dir)
        .args(["--format", "json", "-q"])
        .args(extra)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let document = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "no JSON ({e}): {stdout}\nstderr: {}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    (output.status.code().unwrap_or(-1), document)
}

fn findings<'a>(document: &'a Value, rule: &str) -> Vec<&'a Value> {
    document["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == rule)
        .collect()
}

/// Findings that stop the apply (the static and catalog rules may have their own opinions).
fn apply_errors(document: &Value) -> Vec<&Value> {
    document["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| {
            ["apply-failed", "apply-timeout", "extension-unavailable"]
                .contains(&f["rule"].as_str().unwrap_or(""))
        })
        .collect()
}

/// The single apply-stopping finding's message.
fn failure(document: &Value, rule: &str) -> String {
    let found = findings(document, rule);
    assert_eq!(found.len(), 1, "{document:#}");
    found[0]["message"].as_str().unwrap().to_string()
}

#[test]
fn error_in_the_third_statement_on_line_17_column_5_is_reported_there() {
    let mut text = String::new();
    for i in 1..=11 {
        text.push_str(&format!("-- filler line {i}\n"));
    }
    text.push_str("create table public.a (id int);\n"); // line 12, statement 1
    text.push_str("insert into public.a values (1);\n"); // line 13, statement 2
    text.push_str("select\n    1,\n    2,\n    no_such_function(2),\n    3;\n"); // 14-18
    let dir = support::supabase_project(&[("20240101000000_one.sql", &text)]);
    let (code, document) = check(dir.path(), &[]);
    assert_eq!(code, 1);
    let found = findings(&document, "apply-failed");
    assert_eq!(found.len(), 1, "{document:#}");
    let location = &found[0]["location"];
    assert!(location["file"]
        .as_str()
        .unwrap()
        .ends_with("20240101000000_one.sql"));
    assert_eq!(
        (location["line"].as_u64(), location["column"].as_u64()),
        (Some(17), Some(5))
    );
    let message = found[0]["message"].as_str().unwrap();
    assert!(message.contains("statement 3"), "{message}");
    assert!(message.contains("42883"), "{message}");
    assert_eq!(support::apply_statuses(&document), ["failed"]);
}

#[test]
fn order_problem_names_the_later_file_and_lists_files_not_applied() {
    let dir = support::supabase_project(&[
        ("20240101000000_ok.sql", "create table public.a (id int);"),
        (
            "20240102000000_uses.sql",
            "alter table public.later add column x int;",
        ),
        (
            "20240103000000_creates.sql",
            "create table public.later (id int);",
        ),
    ]);
    let (code, document) = check(dir.path(), &[]);
    assert_eq!(code, 1);
    let message = failure(&document, "apply-failed");
    assert!(message.contains("42P01"), "{message}");
    assert!(message.contains("order problem"), "{message}");
    assert!(message.contains("20240103000000_creates.sql"), "{message}");
    assert!(
        message.contains("1 later file was not applied"),
        "{message}"
    );
    assert_eq!(
        support::apply_statuses(&document),
        ["applied", "failed", "not_reached"]
    );
}

#[test]
fn object_in_a_file_the_cli_skips_is_named() {
    let dir = support::supabase_project(&[
        ("001_init.sql", "create table public.base (id int);"),
        (
            "005b_create_sneakers.sql",
            "create table public.sneakers (id int);",
        ),
        (
            "006_photos.sql",
            "create table public.photos (sneaker int references public.sneakers);",
        ),
    ]);
    let (_, document) = check(dir.path(), &[]);
    let message = failure(&document, "apply-failed");
    assert!(message.contains("005b_create_sneakers.sql"), "{message}");
    assert!(message.contains("skips it"), "{message}");
}

#[test]
fn object_no_migration_creates_points_to_db_pull() {
    let dir = support::supabase_project(&[(
        "20240101000000_seed.sql",
        "insert into public.profiles (id) values (1);",
    )]);
    let (_, document) = check(dir.path(), &[]);
    let found = findings(&document, "apply-failed");
    let message = found[0]["message"].as_str().unwrap();
    assert!(message.contains("no migration creates"), "{message}");
    assert!(found[0]["help"]
        .as_str()
        .unwrap()
        .contains("supabase db pull"));
}

#[test]
fn extension_schema_used_without_creating_the_extension() {
    let dir = support::supabase_project(&[(
        "20240101000000_jobs.sql",
        "select jobid from cron.job where jobname = 'x';",
    )]);
    let (_, document) = check(dir.path(), &[]);
    let message = failure(&document, "apply-failed");
    assert!(
        message.contains("pg_cron extension, which no migration creates"),
        "{message}"
    );
}

#[test]
fn seed_row_violating_a_foreign_key() {
    let dir = support::supabase_project(&[(
        "20240101000000_seed.sql",
        "create table public.facility (id int primary key);\ncreate table public.hole (facility int references public.facility);\ninsert into public.hole values (7);",
    )]);
    let (_, document) = check(dir.path(), &[]);
    let found = findings(&document, "apply-failed");
    let message = found[0]["message"].as_str().unwrap();
    assert!(message.contains("23503"), "{message}");
    assert!(message.contains("seed data"), "{message}");
    assert_eq!(found[0]["location"]["line"], 3);
}

#[test]
fn syntax_error_and_psql_meta_command() {
    let dir =
        support::supabase_project(&[("20240101000000_x.sql", "create tabel public.a (id int);")]);
    let (_, document) = check(dir.path(), &[]);
    let message = failure(&document, "apply-failed");
    assert!(
        message.contains("42601") && message.contains("syntax error"),
        "{message}"
    );
    let dir =
        support::supabase_project(&[("20240101000000_x.sql", "\\set ON_ERROR_STOP on\nselect 1;")]);
    let (_, document) = check(dir.path(), &[]);
    let message = failure(&document, "apply-failed");
    assert!(message.contains("psql meta-command"), "{message}");
}

#[test]
fn extension_neither_installed_nor_emulated() {
    let dir = support::supabase_project(&[(
        "20240101000000_geo.sql",
        "create extension if not exists pgrouting;",
    )]);
    let (code, document) = check(dir.path(), &[]);
    assert_eq!(code, 1);
    let found = findings(&document, "extension-unavailable");
    assert_eq!(found.len(), 1, "{document:#}");
    let help = found[0]["help"].as_str().unwrap();
    assert!(
        help.contains("postgresql-<major>-pgrouting") && help.contains("--database-url"),
        "{help}"
    );
    assert!(findings(&document, "apply-failed").is_empty());
}

#[test]
fn a_typo_gets_the_closest_name_the_database_has() {
    let dir = support::supabase_project(&[
        (
            "20240101000000_accounts.sql",
            "create table public.accounts (id bigint primary key, balance numeric);",
        ),
        (
            "20240102000000_typo.sql",
            "alter table public.acounts add column currency text;",
        ),
        (
            "20240103000000_column.sql",
            "alter table public.accounts rename column balanse to amount;",
        ),
    ]);
    let (_, document) = check(dir.path(), &[]);
    let message = failure(&document, "apply-failed");
    assert!(
        message.contains("did you mean `public.accounts`"),
        "{message}"
    );
    assert!(!message.contains("outside the migrations"), "{message}");
    let dir = support::supabase_project(&[
        (
            "20240101000000_accounts.sql",
            "create table public.accounts (id bigint primary key, balance numeric);",
        ),
        (
            "20240102000000_column.sql",
            "alter table public.accounts rename column balanse to amount;",
        ),
    ]);
    let (_, document) = check(dir.path(), &[]);
    let message = failure(&document, "apply-failed");
    assert!(
        message.contains("did you mean `accounts.balance`"),
        "{message}"
    );
}

#[test]
fn objects_of_extensions_schemagate_does_not_emulate_are_named_with_their_extension() {
    let dir = support::supabase_project(&[(
        "20240101000000_stripe.sql",
        "create extension if not exists wrappers with schema extensions;
create foreign data wrapper hello_wrapper
  handler extensions.helloworld_fdw_handler validator extensions.helloworld_fdw_validator;",
    )]);
    let (_, document) = check(dir.path(), &[]);
    let message = failure(&document, "extension-unavailable");
    assert!(
        message.contains("`extensions.helloworld_fdw_handler` comes from the `wrappers` extension, which schemagate does not emulate"),
        "{message}"
    );
    assert!(
        findings(&document, "apply-failed").is_empty(),
        "{document:#}"
    );
    // A handler the emulation has: what stops the statement is the superuser it needs.
    let dir = support::supabase_project(&[(
        "20240101000000_stripe.sql",
        "create extension if not exists wrappers with schema extensions;
create foreign data wrapper stripe_wrapper
  handler extensions.stripe_fdw_handler validator extensions.stripe_fdw_validator;",
    )]);
    let (_, document) = check(dir.path(), &[]);
    let message = failure(&document, "apply-failed");
    assert!(message.contains("supautils"), "{message}");
    let dir = support::supabase_project(&[(
        "20240101000000_search.sql",
        "create table public.docs (id bigint primary key, body text);
create index docs_body_search on public.docs using pgroonga (body);",
    )]);
    let (_, document) = check(dir.path(), &[]);
    let message = failure(&document, "apply-failed");
    assert!(
        message.contains(
            "access method `pgroonga` comes from the `pgroonga` extension, which no migration creates"
        ),
        "{message}"
    );
    // An extension the server has (here emulated), which no migration creates.
    let dir = support::supabase_project(&[(
        "20240101000000_docs.sql",
        "create table public.docs (id bigint primary key, embedding vector(3));",
    )]);
    let (_, document) = check(dir.path(), &[]);
    let message = failure(&document, "apply-failed");
    assert!(
        message.contains(
            "type `vector` comes from the `vector` extension, which no migration creates"
        ),
        "{message}"
    );
}

#[test]
fn duplicate_version_fails_like_the_cli_history() {
    let dir = support::supabase_project(&[
        ("00009_a.sql", "create table public.a (id int);"),
        ("00009_b.sql", "create table public.b (id int);"),
    ]);
    let (_, document) = check(dir.path(), &[]);
    let message = failure(&document, "apply-failed");
    assert!(message.contains("duplicate version"), "{message}");
}

#[test]
fn supabase_project_applies_with_emulated_extensions_and_managed_schema_findings() {
    let dir = support::supabase_project(&[
        (
            "20240101000000_extensions.sql",
            "create extension if not exists pg_net with schema extensions;
select net.http_post('https://example.com', '{}'::jsonb);
create extension if not exists pgmq;
select pgmq.create('jobs');
select * from pgmq.send('jobs', '{\"a\": 1}');
create extension if not exists vector with schema extensions;
create table public.docs (id bigint primary key, embedding vector(3));
insert into public.docs values (1, '[1,0,0]');
create index on public.docs using hnsw (embedding vector_cosine_ops);
select id from public.docs order by embedding <=> '[0,1,0]' limit 1;
drop extension pg_net;
create extension pg_cron;
select cron.schedule('nightly', '0 3 * * *', 'select 1');
",
        ),
        (
            "20240102000000_app.sql",
            "create table public.notes (id bigint primary key, user_id uuid references auth.users, path text);
alter table public.notes enable row level security;
create policy own on public.notes using ((select auth.uid()) = user_id);
create policy read on storage.objects for select using ((storage.foldername(name))[1] = auth.uid()::text);
create function public.on_signup() returns trigger language plpgsql as $$ begin return new; end $$;
create trigger on_signup after insert on auth.users for each row execute function public.on_signup();
select vault.create_secret('s', 'name');
alter publication supabase_realtime add table public.notes;
",
        ),
        (
            "20240103000000_managed.sql",
            "create function auth.is_admin() returns boolean language sql as $$ select true $$;
do $$ begin execute 'create table storage.extra (id int)'; end $$;
",
        ),
        ("20240104000000_index.sql", "create index concurrently notes_user on public.notes (user_id);"),
    ]);
    let (_, document) = check(dir.path(), &[]);
    assert_eq!(
        support::apply_statuses(&document),
        ["applied", "applied", "applied", "applied"],
        "{document:#}"
    );
    assert!(apply_errors(&document).is_empty(), "{document:#}");
    let emulated: Vec<&str> = findings(&document, "extension-emulated")
        .iter()
        .map(|f| f["object"].as_str().unwrap())
        .collect();
    assert_eq!(
        emulated,
        [
            "extension pg_net",
            "extension pgmq",
            "extension vector",
            "extension pg_cron"
        ]
    );
    let managed = findings(&document, "objects-in-supabase-schemas");
    let objects: Vec<&str> = managed
        .iter()
        .map(|f| f["object"].as_str().unwrap())
        .collect();
    assert_eq!(objects, ["auth.is_admin", "storage.extra"], "{document:#}");
    assert_eq!(managed[0]["location"]["line"], 1);
    assert_eq!(
        managed[1]["source"], "apply",
        "only the catalog sees the DO block's table"
    );
    assert_eq!(
        managed[1]["location"]["line"], 2,
        "the DO block that made it"
    );
    let created = &document["apply"][0]["files"][1]["created"];
    assert!(
        created
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c == "table public.notes"),
        "{created}"
    );
    assert!(
        findings(&document, "non-transactional-statement").is_empty(),
        "a file of its own"
    );
}

#[test]
fn do_blocks_that_guard_their_privileges_are_not_managed_schema_findings() {
    let dir = support::supabase_project(&[(
        "20240101000000_guarded.sql",
        "do $$
begin
  if has_schema_privilege('auth', 'CREATE') then
    create table auth.local_shim (id int);
  end if;
end $$;
do $$
begin
  create function storage.local_helper() returns int language sql as 'select 1';
exception when insufficient_privilege then
  raise notice 'skipped on hosted Supabase';
end $$;
do $$
begin
  create table auth.unguarded (id int);
end $$;
",
    )]);
    let (_, document) = check(dir.path(), &[]);
    assert!(apply_errors(&document).is_empty(), "{document:#}");
    let objects: Vec<&str> = findings(&document, "objects-in-supabase-schemas")
        .iter()
        .map(|f| f["object"].as_str().unwrap())
        .collect();
    assert_eq!(objects, ["auth.unguarded"], "{document:#}");
}

#[test]
fn concurrently_runs_outside_the_transaction_and_is_noted() {
    let dir = support::supabase_project(&[(
        "20240101000000_x.sql",
        "create table public.t (a int);\ncreate index concurrently t_a on public.t (a);\ndrop index concurrently t_a;\n",
    )]);
    let (_, document) = check(dir.path(), &[]);
    assert!(apply_errors(&document).is_empty(), "{document:#}");
    assert_eq!(support::apply_statuses(&document), ["applied"]);
    let noted: Vec<u64> = findings(&document, "non-transactional-statement")
        .iter()
        .map(|f| f["location"]["line"].as_u64().unwrap())
        .collect();
    assert_eq!(noted, [2, 3]);
}

#[test]
fn explicit_begin_commit_in_a_file_still_applies() {
    let dir = support::supabase_project(&[(
        "20240101000000_x.sql",
        "begin;\ncreate table public.t (a int);\ncommit;\nbegin;\ninsert into public.t values (1);\ncommit;\n",
    )]);
    let (_, document) = check(dir.path(), &[]);
    assert!(apply_errors(&document).is_empty(), "{document:#}");
    assert_eq!(support::apply_statuses(&document), ["applied"]);
    // It applies, but the first `commit` ends the CLI's transaction early: the rule says so.
    let nested = findings(&document, "transaction-nesting");
    assert_eq!(nested.len(), 1, "{document:#}");
    assert_eq!(nested[0]["location"]["line"], 3);
}

#[test]
fn a_sleeping_migration_stops_at_the_statement_timeout() {
    let dir = support::supabase_project(&[
        (
            "20240101000000_sleep.sql",
            "select 1;\nselect pg_sleep(600);\n",
        ),
        ("20240102000000_after.sql", "select 1;"),
    ]);
    let (code, document) = check(dir.path(), &["--statement-timeout", "200ms"]);
    assert_eq!(code, 1);
    let found = findings(&document, "apply-timeout");
    assert_eq!(found.len(), 1, "{document:#}");
    assert_eq!(found[0]["location"]["line"], 2);
    assert!(found[0]["message"].as_str().unwrap().contains("57014"));
    assert_eq!(
        support::apply_statuses(&document),
        ["failed", "not_reached"]
    );
}

#[test]
fn no_apply_only_lints() {
    let dir = support::supabase_project(&[("20240101000000_x.sql", "select * from nowhere;")]);
    // No server is started: binaries that do not exist are never looked for.
    let (code, document) = check(dir.path(), &["--no-apply", "--pg-bin", "/nonexistent/bin"]);
    assert_eq!(code, 0, "{document:#}");
    assert!(document.get("apply").is_none());
    assert_eq!(
        document["findings"].as_array().unwrap().len(),
        0,
        "{document:#}"
    );
}

#[test]
fn missing_server_binaries_are_an_environment_error() {
    let dir = support::supabase_project(&[("20240101000000_x.sql", "select 1;")]);
    let output = support::schemagate()
        .arg("check")
        .arg(dir.path())
        .args(["--pg-bin", "/nonexistent/bin"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--pg-bin"), "{stderr}");
}
