//! `schemagate dump-schema` and `schemagate squash` against a real PostgreSQL: the dump is
//! verified by the tool, and these tests apply what it wrote once more with `check`.

mod support;

use support::{run_in, text};

use std::path::Path;
use support::pg::TestServer;

/// A Supabase project whose migrations touch what a fresh project already has: a policy on
/// `storage.objects`, privileges revoked from an API role (on a table, by default, on a
/// function), a `varchar` check constraint.
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let migrations = dir.path().join("supabase/migrations");
    std::fs::create_dir_all(&migrations).unwrap();
    for (name, text) in [
        (
            "20240101000000_notes.sql",
            "create table public.notes (id bigint generated always as identity primary key,\n  \
             body text not null, kind varchar(10) check (kind in ('plain', 'todo')));\n\
             alter table public.notes enable row level security;\n\
             create policy \"own notes\" on public.notes for select to authenticated using (true);\n",
        ),
        (
            "20240102000000_storage.sql",
            "create policy \"read avatars\" on storage.objects for select using (bucket_id = 'avatars');\n\
             revoke all on public.notes from anon;\n\
             alter default privileges in schema public revoke select on tables from anon;\n\
             create table public.later (id bigint primary key);\n\
             create function public.secret() returns int language sql security definer\n  \
             set search_path = '' as 'select 1';\n\
             revoke execute on function public.secret() from public, anon;\n",
        ),
    ] {
        std::fs::write(migrations.join(name), text).unwrap();
    }
    dir
}

/// `check` of a folder: every file must apply (findings do not matter here).
fn applies_cleanly(dir: &Path) {
    let output = run_in(dir, &["check", ".", "--format", "json", "-q"]);
    let document: serde_json::Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", text(&output.stderr)));
    let files = document["apply"][0]["files"].as_array().unwrap();
    assert!(!files.is_empty());
    for file in files {
        assert_eq!(file["status"], "applied", "{document:#}");
    }
}

#[test]
fn dump_schema_writes_a_verified_schema_that_applies_again() {
    let dir = project();
    let output = run_in(dir.path(), &["dump-schema", ".", "-o", "schema.sql"]);
    support::assert_exit(&output, 0);
    assert!(
        text(&output.stderr).contains("verified: a fresh database with the dump has the same catalog as one with the 2 migrations"),
        "{}",
        text(&output.stderr)
    );
    let sql = std::fs::read_to_string(dir.path().join("schema.sql")).unwrap();
    for expected in [
        "ALTER DEFAULT PRIVILEGES FOR ROLE \"postgres\" IN SCHEMA \"public\" REVOKE ALL ON TABLES FROM \"anon\";",
        "REVOKE ALL ON FUNCTION public.secret() FROM PUBLIC;",
        "CREATE TABLE public.notes",
        "CREATE POLICY \"own notes\" ON public.notes",
        "CREATE POLICY \"read avatars\" ON storage.objects",
    ] {
        assert!(sql.contains(expected), "{expected} missing:\n{sql}");
    }
    // anon lost its grants on `notes` (revoked) and SELECT on `later` (default privileges).
    assert!(!sql.contains("public.notes TO anon"), "{sql}");
    assert!(sql.contains(
        "GRANT INSERT,REFERENCES,DELETE,TRIGGER,TRUNCATE,UPDATE ON TABLE public.later TO anon;"
    ));
    // Neither the prelude's objects, the migration history nor psql meta-commands.
    for unwanted in ["CREATE TABLE auth.users", "supabase_migrations", "\n\\"] {
        assert!(!sql.contains(unwanted), "{unwanted:?} in:\n{sql}");
    }

    // The dump is a migration of a new project.
    let fresh = tempfile::tempdir().unwrap();
    let migrations = fresh.path().join("supabase/migrations");
    std::fs::create_dir_all(&migrations).unwrap();
    std::fs::write(migrations.join("20240102000000_schema.sql"), &sql).unwrap();
    applies_cleanly(fresh.path());

    // Without -o the SQL goes to stdout.
    let output = run_in(dir.path(), &["dump-schema", ".", "-q"]);
    support::assert_exit(&output, 0);
    assert_eq!(text(&output.stdout), sql);
    assert_eq!(text(&output.stderr), "");
}

#[test]
fn dump_schema_of_a_folder_that_does_not_apply_writes_nothing() {
    let dir = project();
    std::fs::write(
        dir.path()
            .join("supabase/migrations/20240103000000_broken.sql"),
        "alter table public.missing add column x int;\n",
    )
    .unwrap();
    let output = run_in(dir.path(), &["dump-schema", ".", "-o", "schema.sql"]);
    support::assert_exit(&output, 1);
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("the migrations do not apply; stopped at"),
        "{stderr}"
    );
    assert!(stderr.contains("20240103000000_broken.sql"), "{stderr}");
    assert!(!dir.path().join("schema.sql").exists());

    // A file that is not text would be missing from the dump: refused before applying.
    std::fs::write(
        dir.path()
            .join("supabase/migrations/20240103000000_broken.sql"),
        b"create table \xff\xfe (id int);\n",
    )
    .unwrap();
    let output = run_in(dir.path(), &["dump-schema", ".", "-o", "schema.sql"]);
    support::assert_exit(&output, 2);
    assert!(text(&output.stderr).contains("20240103000000_broken.sql"));
    assert!(!dir.path().join("schema.sql").exists());

    // Nothing to apply is a usage error, not an empty schema.
    let empty = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(empty.path().join("supabase/migrations")).unwrap();
    let output = run_in(empty.path(), &["dump-schema", "."]);
    support::assert_exit(&output, 2);
    assert!(text(&output.stderr).contains("has no migrations to apply"));
}

#[test]
fn squash_plans_then_replaces_the_folder_with_one_verified_file() {
    let dir = project();
    let migrations = dir.path().join("supabase/migrations");
    let listing = || {
        let mut names: Vec<String> = std::fs::read_dir(&migrations)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    let before = listing();

    // Data statements are not carried over: said in a dry run, refused by --write alone.
    std::fs::write(
        migrations.join("20240103000000_seed.sql"),
        "insert into public.notes (body) values ('hello');\n",
    )
    .unwrap();
    let output = run_in(dir.path(), &["squash", "supabase/migrations", "--write"]);
    support::assert_exit(&output, 1);
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("error: 1 statements change data"),
        "{stderr}"
    );
    assert!(stderr.contains("20240103000000_seed.sql:1"), "{stderr}");
    std::fs::remove_file(migrations.join("20240103000000_seed.sql")).unwrap();

    let output = run_in(dir.path(), &["squash", "supabase/migrations"]);
    support::assert_exit(&output, 0);
    assert_eq!(
        text(&output.stdout),
        "would replace 2 migrations (20240101000000 … 20240102000000) with supabase/migrations/20240102000000_squashed.sql; run again with --write\n"
    );
    assert_eq!(listing(), before, "a dry run changes nothing");

    let output = run_in(dir.path(), &["squash", "supabase/migrations", "--write"]);
    support::assert_exit(&output, 0);
    assert!(text(&output.stdout).starts_with(
        "replaced 2 migrations with supabase/migrations/20240102000000_squashed.sql\n"
    ));
    assert_eq!(listing(), ["20240102000000_squashed.sql"]);
    applies_cleanly(dir.path());

    // Other layouts keep their history their own way: squash refuses, dump-schema works.
    let plain = tempfile::tempdir().unwrap();
    std::fs::write(plain.path().join("V1__t.sql"), "create table t (id int);\n").unwrap();
    let output = run_in(plain.path(), &["squash", "."]);
    support::assert_exit(&output, 2);
    assert!(text(&output.stderr).contains("dump-schema"));
}

#[test]
fn dump_schema_with_a_database_url_leaves_no_database_behind() {
    let server = TestServer::start();
    let databases = || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let client = server.connect("postgres").await;
            let rows = client
                .query("select datname from pg_database order by 1", &[])
                .await
                .unwrap();
            rows.iter()
                .map(|r| r.get::<_, String>(0))
                .collect::<Vec<_>>()
        })
    };
    let before = databases();
    let dir = project();
    let url = server.url("postgres");
    let output = run_in(
        dir.path(),
        &["dump-schema", ".", "--database-url", &url, "-o", "s.sql"],
    );
    support::assert_exit(&output, 0);
    let sql = std::fs::read_to_string(dir.path().join("s.sql")).unwrap();
    assert!(sql.contains("CREATE TABLE public.notes"), "{sql}");
    assert_eq!(databases(), before);
}
