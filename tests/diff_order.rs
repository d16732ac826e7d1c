//! `schemagate diff --base`: order dependence and the schema changes of a branch, on real
//! git repositories built in temporary folders and a real PostgreSQL (the product's own
//! ephemeral cluster, its prepared data directory cached under target/).

mod support;

use support::{run_in, text};

use serde_json::Value;
use support::git::{git_in, Repo, MIGRATIONS};
use support::pg::TestServer;

/// `diff --base main --format json`: the exit code and the document.
fn diff_json(repo: &Repo) -> (i32, Value) {
    let output = run_in(
        repo.path(),
        &["diff", MIGRATIONS, "--base", "main", "--format", "json"],
    );
    let document = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "no JSON ({e}): {}\nstderr: {}",
            text(&output.stdout),
            text(&output.stderr)
        )
    });
    (output.status.code().unwrap(), document)
}

/// `(change, kind, identity)` of every change.
fn changes(document: &Value) -> Vec<(String, String, String)> {
    document["changes"]
        .as_array()
        .unwrap_or_else(|| panic!("no changes: {document:#}"))
        .iter()
        .map(|c| {
            (
                c["change"].as_str().unwrap().to_string(),
                c["kind"].as_str().unwrap().to_string(),
                c["identity"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn rules(document: &Value) -> Vec<String> {
    document["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap().to_string())
        .collect()
}

fn change(change: &str, kind: &str, identity: &str) -> (String, String, String) {
    (change.to_string(), kind.to_string(), identity.to_string())
}

/// The base creates `t (a)` and later a view `v` over `t.*`; the branch, started before the
/// view landed, adds a column to `t` with an older version.
fn view_over_star() -> Repo {
    let repo = Repo::with_base(&[("20240101000000_t.sql", "create table t (a int);\n")]);
    repo.migration("20240102000000_b.sql", "alter table t add column b int;\n");
    repo.commit("feature: b");
    repo.land_on_main(&[(
        "20240103000000_v.sql",
        "create or replace view v as select * from t;\n",
    )]);
    repo
}

#[test]
fn a_view_over_star_depends_on_the_order_of_the_migrations() {
    let repo = view_over_star();
    let (code, document) = diff_json(&repo);
    assert_eq!(code, 1, "{document:#}");
    assert_eq!(
        rules(&document),
        ["order-dependent-schema", "lock-timeout-missing"]
    );
    // The lock trace also sees `alter table t` take its lock without a `lock_timeout`.
    let finding = &document["findings"][0];
    assert_eq!(finding["severity"], "error");
    assert_eq!(finding["category"], "conflict");
    assert_eq!(
        finding["location"]["file"],
        "supabase/migrations/20240102000000_b.sql"
    );
    assert_eq!(finding["location"]["line"], 1);
    let message = finding["message"].as_str().unwrap();
    // Fresh: b exists before the view, so `*` includes it; production made the view first.
    assert!(
        message.contains("column public.v.b: only in a fresh database"),
        "{message}"
    );
    assert!(
        message.contains("view public.v: definition differs"),
        "{message}"
    );
    assert!(finding["help"].as_str().unwrap().contains("--renumber"));
    // Production's path: the base's schema plus the branch's column.
    assert_eq!(
        changes(&document),
        [change("added", "column", "public.t.b")]
    );

    // Renumbering the branch's file after the base's newest makes both paths agree.
    std::fs::rename(
        repo.path().join(MIGRATIONS).join("20240102000000_b.sql"),
        repo.path().join(MIGRATIONS).join("20240104000000_b.sql"),
    )
    .unwrap();
    let (code, document) = diff_json(&repo);
    assert_eq!(code, 0, "{document:#}");
    assert_eq!(rules(&document), ["lock-timeout-missing"], "{document:#}");
    assert_eq!(
        changes(&document),
        [change("added", "column", "public.t.b")]
    );
}

#[test]
fn an_older_but_independent_migration_is_no_finding() {
    let repo = Repo::with_base(&[("20240101000000_t.sql", "create table t (a int);\n")]);
    repo.migration(
        "20240102000000_u.sql",
        "create table u (id int);\ncreate function public.u_count() returns bigint language sql as 'select count(*) from u';\n",
    );
    repo.commit("feature: u");
    repo.land_on_main(&[(
        "20240103000000_v.sql",
        "create or replace view v as select * from t;\n",
    )]);
    // A pull request's merge checkout: the branch with the base merged in.
    repo.git(&["merge", "-q", "--no-edit", "main"]);

    let (code, document) = diff_json(&repo);
    assert_eq!(code, 0, "{document:#}");
    assert!(rules(&document).is_empty(), "{document:#}");
    let listed = changes(&document);
    assert!(
        listed.contains(&change("added", "table", "public.u")),
        "{listed:?}"
    );
    assert!(
        listed.contains(&change("added", "function", "public.u_count()")),
        "{listed:?}"
    );
    assert!(
        !listed
            .iter()
            .any(|(_, _, identity)| identity.contains(".v")),
        "the base's own view is not a change of this branch: {listed:?}"
    );
}

#[test]
fn a_migration_that_fails_on_top_of_the_base_is_order_dependent() {
    let repo = support::git::branch_behind_a_rename();

    let (code, document) = diff_json(&repo);
    assert_eq!(code, 1, "{document:#}");
    assert_eq!(rules(&document), ["order-dependent-schema"]);
    let message = document["findings"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("fail when applied after the base branch's"),
        "{message}"
    );
    assert!(message.contains("20240102000000_b.sql"), "{message}");
    assert!(message.contains("42P01"), "{message}");
    assert!(document["changes"].as_array().unwrap().is_empty());
}

#[test]
fn an_edited_applied_migration_makes_fresh_databases_differ_and_is_named() {
    let repo = Repo::with_base(&[("20240101000000_t.sql", "create table t (a int);\n")]);
    // The branch edits the applied migration (production never re-runs it) and appends one.
    repo.migration("20240101000000_t.sql", "create table t (a int, z int);\n");
    repo.migration("20240105000000_u.sql", "create table u (id int);\n");
    repo.commit("feature: edit t, add u");
    // Meanwhile the base gained a migration the branch does not have yet: the fresh path
    // still runs it (the folder as it will be after the merge).
    repo.land_on_main(&[("20240102000000_w.sql", "create table w (id int);\n")]);

    let (code, document) = diff_json(&repo);
    assert_eq!(code, 1, "{document:#}");
    assert_eq!(rules(&document), ["order-dependent-schema"]);
    let finding = &document["findings"][0];
    assert_eq!(
        finding["location"]["file"],
        "supabase/migrations/20240101000000_t.sql"
    );
    let message = finding["message"].as_str().unwrap();
    assert!(message.contains("1 difference"), "{message}");
    assert!(
        message.contains("column public.t.z: only in a fresh database"),
        "{message}"
    );
    assert!(
        finding["help"]
            .as_str()
            .unwrap()
            .contains("edits or deletes migrations the base has (20240101000000_t.sql)"),
        "{finding:#}"
    );
    // Supabase's default privileges give the API roles the new table: listed, as they matter.
    assert_eq!(
        changes(&document),
        [
            change("added", "grant", "public.u to anon"),
            change("added", "grant", "public.u to authenticated"),
            change("added", "table", "public.u"),
        ]
    );
}

#[test]
fn diff_lists_added_removed_and_changed_columns_policies_and_functions() {
    let repo = Repo::with_base(&[(
        "20240101000000_base.sql",
        "create table t (a int, gone text, kept text);\n\
         alter table t enable row level security;\n\
         create policy reader on t for select using (true);\n\
         create policy old_writer on t for insert with check (true);\n\
         create function f() returns int language sql as 'select 1';\n\
         create function g() returns int language sql as 'select 2';\n",
    )]);
    repo.migration(
        "20240102000000_change.sql",
        "alter table t alter column a type bigint;\n\
         alter table t drop column gone;\n\
         alter table t add column added text not null default 'x';\n\
         drop policy old_writer on t;\n\
         create policy new_writer on t for insert to authenticated with check (auth.uid() is not null);\n\
         alter policy reader on t to authenticated;\n\
         create or replace function f() returns int language sql security definer set search_path = '' as 'select 10';\n\
         drop function g();\n\
         create function h(x int) returns int language sql as 'select x';\n\
         revoke all on t from anon;\n\
         revoke execute on function f() from public, anon;\n",
    );
    repo.commit("feature: change");

    let output = run_in(repo.path(), &["diff", MIGRATIONS, "--base", "main"]);
    let stdout = text(&output.stdout);
    // `alter column a type bigint` rewrites the existing table: the lock trace's
    // `table-rewrite` fails the gate.
    assert!(stdout.contains("table-rewrite"), "{stdout}");
    assert_eq!(
        output.status.code(),
        Some(1),
        "{stdout}{}",
        text(&output.stderr)
    );
    let start = stdout.find("Schema changes in this pull request").unwrap();
    let section: Vec<&str> = stdout[start..]
        .lines()
        .take_while(|l| !l.is_empty())
        .collect();
    assert_eq!(
        section,
        [
            "Schema changes in this pull request (11):",
            "  ~ column public.t.a (type: integer → bigint)",
            "  + column public.t.added",
            "  - column public.t.gone",
            "  ~ function public.f() (body changed; config: none → search_path=\"\"; security definer: false → true)",
            "  - function public.g()",
            "  + function public.h(x integer)",
            "  - function grant public.f() to anon",
            "  - grant public.t to anon",
            "  + policy public.t.new_writer",
            "  - policy public.t.old_writer",
            "  ~ policy public.t.reader (roles: public → authenticated)",
        ],
        "{stdout}"
    );

    let (code, document) = diff_json(&repo);
    assert_eq!(code, 1);
    let first = &document["changes"][0];
    assert_eq!(first["change"], "changed");
    assert_eq!(first["identity"], "public.t.a");
    assert_eq!(first["attributes"]["type"][0], "integer");
    assert_eq!(first["attributes"]["type"][1], "bigint");
}

#[test]
fn diff_needs_a_base_in_the_clone() {
    let repo = view_over_star();
    let output = run_in(repo.path(), &["diff", MIGRATIONS]);
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("--base REF"));

    // A shallow clone of the branch lacks the base commit: exit 3 with the fix.
    let base = repo.git(&["rev-parse", "main"]);
    let clones = tempfile::tempdir().unwrap();
    let url = format!("file://{}", repo.path().display());
    git_in(
        clones.path(),
        &[
            "clone", "-q", "--depth", "1", "--branch", "feature", &url, "shallow",
        ],
    );
    let clone = clones.path().join("shallow");
    let output = run_in(&clone, &["diff", MIGRATIONS, "--base", &base]);
    assert_eq!(output.status.code(), Some(3));
    let stderr = text(&output.stderr);
    assert!(stderr.contains("fetch-depth: 0"), "{stderr}");
    assert!(
        stderr.contains(&format!("git fetch origin {base}")),
        "{stderr}"
    );
}

#[test]
fn with_a_database_url_each_path_gets_a_scratch_database_that_is_dropped() {
    let server = TestServer::start();
    let repo = view_over_star();
    let url = server.url("postgres");
    let output = run_in(
        repo.path(),
        &[
            "diff",
            MIGRATIONS,
            "--base",
            "main",
            "--format",
            "json",
            "--database-url",
            &url,
        ],
    );
    let document: Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", text(&output.stderr)));
    assert_eq!(output.status.code(), Some(1), "{document:#}");
    assert_eq!(
        rules(&document),
        ["order-dependent-schema", "lock-timeout-missing"]
    );
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let databases: Vec<String> = runtime.block_on(async {
        let client = server.connect("postgres").await;
        client
            .query("select datname::text from pg_database order by 1", &[])
            .await
            .unwrap()
            .iter()
            .map(|row| row.get(0))
            .collect()
    });
    assert_eq!(databases, ["postgres", "template0", "template1"]);
}

#[test]
fn sibling_databases_are_independent_and_prepared_like_the_first() {
    std::env::set_var("XDG_CACHE_HOME", support::cache_dir());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let options = schemagate::postgres::ServerOptions {
            supabase: true,
            lock_timeout: std::time::Duration::from_secs(10),
            statement_timeout: std::time::Duration::from_secs(60),
            ..Default::default()
        };
        let first = schemagate::postgres::open(&options).await.unwrap();
        first
            .client
            .batch_execute("create table only_in_first (id int)")
            .await
            .unwrap();
        let second = first.create_sibling(&options).await.unwrap();
        let third = second.create_sibling(&options).await.unwrap();
        let mut names = Vec::new();
        for sibling in [&second, &third] {
            let row = sibling
                .client
                .query_one(
                    "select current_database()::text, to_regclass('public.only_in_first') is null, to_regclass('auth.users') is not null, current_setting('statement_timeout')",
                    &[],
                )
                .await
                .unwrap();
            let name: String = row.get(0);
            assert!(name.starts_with("schemagate_sibling_"), "{name}");
            assert!(row.get::<_, bool>(1), "a sibling starts empty");
            assert!(row.get::<_, bool>(2), "the Supabase prelude is applied");
            assert_eq!(row.get::<_, String>(3), "1min");
            names.push(name);
        }
        assert_ne!(names[0], names[1]);

        // Migrations log in as the non-superuser apply role, which owns the sibling's
        // database as it owns the first one's; --apply-as superuser logs in as the superuser.
        for sibling in [&second, &third] {
            let row = sibling
                .client
                .query_one(
                    "select session_user::text, pg_get_userbyid(datdba)::text, (select rolsuper from pg_roles where rolname = session_user) from pg_database where datname = current_database()",
                    &[],
                )
                .await
                .unwrap();
            assert_eq!(row.get::<_, String>(0), "postgres");
            assert_eq!(row.get::<_, String>(1), "postgres");
            assert!(!row.get::<_, bool>(2), "the apply role is no superuser");
        }
        let superuser_options = schemagate::postgres::ServerOptions {
            apply_as: schemagate::postgres::ApplyAs::Superuser,
            ..options.clone()
        };
        let as_superuser = first.create_sibling(&superuser_options).await.unwrap();
        let row = as_superuser
            .client
            .query_one(
                "select rolsuper from pg_roles where rolname = session_user",
                &[],
            )
            .await
            .unwrap();
        assert!(row.get::<_, bool>(0), "--apply-as superuser");
        drop(as_superuser);
        drop(third);
        drop(second);
        drop(first);
    });
}
