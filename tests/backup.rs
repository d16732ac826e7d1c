//! `schemagate backup` against a real PostgreSQL: the archive is written from the source,
//! restored by the tool into a fresh cluster and compared; these tests restore it again with
//! the printed command, damage it, and change the source behind it.
//!
//! Needs a `pg_dump` of the server's major or newer (`.ci/run` runs this file only where
//! one is installed).

mod support;

use std::path::Path;
use support::pg::TestServer;
use support::{schemagate, text};

const APP: &str = "
create role app_reader nologin;
create schema audit;
create table audit.events (id bigint primary key, what text);
insert into audit.events values (1, 'created');
create table public.customers (id bigint generated always as identity primary key, name text not null);
create table public.orders (id bigint primary key, customer_id bigint references public.customers (id), total numeric(10,2));
create index orders_customer_idx on public.orders (customer_id);
create view public.big_orders as select * from public.orders where total > 100;
create function public.order_count() returns bigint language sql stable as 'select count(*) from public.orders';
grant select on public.orders to app_reader;
insert into public.customers (name) values ('ada'), ('grace'), ('it''s \"odd\"');
insert into public.orders values (1, 1, 10.50), (2, 1, 250), (3, 2, 99.99);
";

fn source() -> TestServer {
    let server = TestServer::start();
    server.execute("postgres", "create database app");
    server.execute("app", APP);
    server
}

fn backup(server: &TestServer, dir: &Path, args: &[&str]) -> std::process::Output {
    schemagate()
        .current_dir(dir)
        .arg("backup")
        .arg("--database-url")
        .arg(server.url("app"))
        .args(args)
        .output()
        .expect("run schemagate")
}

/// `select count(*)` of `table` in `database`.
fn count(server: &TestServer, database: &str, table: &str) -> i64 {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            let client = server.connect(database).await;
            client
                .query_one(&format!("select count(*) from {table}"), &[])
                .await
                .unwrap()
                .get(0)
        })
}

#[test]
fn pg_dump_backup_with_data_verifies_and_restores_with_the_printed_command() {
    let server = source();
    let dir = tempfile::tempdir().unwrap();
    let output = backup(&server, dir.path(), &["-o", "out/app.dump"]);
    support::assert_exit(&output, 0);
    let stderr = text(&output.stderr);
    assert!(stderr.contains("wrote out/app.dump ("), "{stderr}");
    assert!(stderr.contains("schema and data"), "{stderr}");
    assert!(
        stderr.contains("the same rows in 3 tables (7 rows)"),
        "{stderr}"
    );
    assert!(!stderr.contains("left out"), "{stderr}");
    let restore = stderr
        .lines()
        .skip_while(|line| *line != "restore it with:")
        .nth(1)
        .expect("a restore command")
        .trim()
        .to_string();
    assert_eq!(
        restore,
        "pg_restore --no-owner --dbname \"$DATABASE_URL\" out/app.dump"
    );

    // The printed command restores it (pg_restore of the same tools, run by a shell).
    server.execute("postgres", "create database restored");
    let pg_restore = schemagate::postgres::binaries::pg_dump_for(18, None)
        .or_else(|_| schemagate::postgres::binaries::pg_dump_for(15, None))
        .expect("pg_dump and pg_restore")
        .dir
        .join("pg_restore");
    let command = restore.replacen("pg_restore", &pg_restore.display().to_string(), 1);
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(&command)
        .current_dir(dir.path())
        .env("DATABASE_URL", server.url("restored"))
        .status()
        .unwrap();
    assert!(status.success());
    assert_eq!(count(&server, "restored", "public.orders"), 3);
    assert_eq!(count(&server, "restored", "public.customers"), 3);
    assert_eq!(count(&server, "restored", "audit.events"), 1);

    // Rows added after the backup: the archive no longer restores to this database.
    server.execute("app", "insert into public.orders values (4, 3, 1)");
    let output = backup(&server, dir.path(), &["--verify", "out/app.dump"]);
    support::assert_exit(&output, 1);
    let stderr = text(&output.stderr);
    assert!(stderr.contains("the backup does NOT verify"), "{stderr}");
    assert!(
        stderr.contains("table public.orders: 4 rows in the database, 3 restored"),
        "{stderr}"
    );
}

#[test]
fn pg_dump_backup_that_is_truncated_or_damaged_does_not_verify() {
    let server = source();
    let dir = tempfile::tempdir().unwrap();
    let output = backup(&server, dir.path(), &["-o", "app.dump", "-q"]);
    support::assert_exit(&output, 0);
    assert_eq!(text(&output.stderr), "", "quiet");
    let whole = std::fs::read(dir.path().join("app.dump")).unwrap();

    let output = backup(&server, dir.path(), &["--verify", "app.dump"]);
    support::assert_exit(&output, 0);
    assert!(text(&output.stderr).contains("checking app.dump"));

    std::fs::write(dir.path().join("truncated.dump"), &whole[..whole.len() / 2]).unwrap();
    let output = backup(&server, dir.path(), &["--verify", "truncated.dump"]);
    support::assert_exit(&output, 1);
    let stderr = text(&output.stderr);
    assert!(stderr.contains("the backup does NOT verify"), "{stderr}");
    assert!(stderr.contains("restore: "), "{stderr}");

    let mut damaged = whole.clone();
    let middle = damaged.len() / 2;
    for byte in &mut damaged[middle..middle + 64] {
        *byte = !*byte;
    }
    std::fs::write(dir.path().join("damaged.dump"), &damaged).unwrap();
    let output = backup(&server, dir.path(), &["--verify", "damaged.dump"]);
    support::assert_exit(&output, 1);
    assert!(text(&output.stderr).contains("the backup does NOT verify"));

    // Not an archive at all, and no file: clear errors.
    std::fs::write(dir.path().join("junk.dump"), b"not a dump\n").unwrap();
    let output = backup(&server, dir.path(), &["--verify", "junk.dump"]);
    support::assert_exit(&output, 1);
    let output = backup(&server, dir.path(), &["--verify", "missing.dump"]);
    support::assert_exit(&output, 2);
    assert!(text(&output.stderr).contains("missing.dump is not a file"));
}

#[test]
fn pg_dump_backup_schema_only_with_a_schema_left_out_and_the_default_file_name() {
    let server = source();
    let dir = tempfile::tempdir().unwrap();
    let output = backup(
        &server,
        dir.path(),
        &["--schema-only", "--exclude-schema", "audit"],
    );
    support::assert_exit(&output, 0);
    let stderr = text(&output.stderr);
    assert!(stderr.contains("schema only"), "{stderr}");
    assert!(stderr.contains("left out: audit\n"), "{stderr}");
    assert!(!stderr.contains("rows"), "{stderr}");
    let written: Vec<String> = std::fs::read_dir(dir.path().join("backups"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(written.len(), 1, "{written:?}");
    assert!(
        written[0].starts_with("app-") && written[0].ends_with("Z.dump"),
        "{written:?}"
    );

    // Checked again later (with the same schema left out): a schema-only archive is
    // compared without rows. Without the exclusion, the missing schema is a difference.
    let archive = format!("backups/{}", written[0]);
    let output = backup(
        &server,
        dir.path(),
        &["--verify", &archive, "--exclude-schema", "audit"],
    );
    support::assert_exit(&output, 0);
    let stderr = text(&output.stderr);
    assert!(stderr.contains("verified: "), "{stderr}");
    assert!(!stderr.contains("rows"), "{stderr}");
    let output = backup(&server, dir.path(), &["--verify", &archive]);
    support::assert_exit(&output, 1);
    assert!(text(&output.stderr).contains("schema audit: missing from the restored database"));

    // Restored: tables without rows, and no audit schema.
    server.execute("postgres", "create database restored");
    let pg_restore = schemagate::postgres::binaries::pg_dump_for(15, None)
        .unwrap()
        .dir
        .join("pg_restore");
    let status = std::process::Command::new(pg_restore)
        .arg("--dbname")
        .arg(server.url("restored"))
        .arg(dir.path().join("backups").join(&written[0]))
        .status()
        .unwrap();
    assert!(status.success());
    assert_eq!(count(&server, "restored", "public.orders"), 0);
    let audit = count(&server, "restored", "pg_namespace where nspname = 'audit'");
    assert_eq!(audit, 0);
}

#[test]
fn pg_dump_backup_of_a_supabase_database_leaves_out_what_supabase_manages() {
    let server = TestServer::start();
    server.execute("postgres", "create database app");
    server.execute("app", schemagate::postgres::SUPABASE_PRELUDE);
    server.execute(
        "app",
        "create table public.profiles (id uuid primary key references auth.users (id), name text);
         alter table public.profiles enable row level security;
         create policy own on public.profiles for select to authenticated using ((select auth.uid()) = id);
         insert into auth.users (id) values ('00000000-0000-0000-0000-000000000001');
         insert into public.profiles values ('00000000-0000-0000-0000-000000000001', 'ada');",
    );
    let dir = tempfile::tempdir().unwrap();
    let output = backup(&server, dir.path(), &["-o", "app.dump"]);
    let stderr = text(&output.stderr);
    support::assert_exit(&output, 0);
    assert!(stderr.contains("left out: auth, "), "{stderr}");
    assert!(stderr.contains("storage"), "{stderr}");
    assert!(stderr.contains("(Supabase manages them"), "{stderr}");
    assert!(
        stderr.contains("the same rows in 1 tables (1 rows)"),
        "{stderr}"
    );
}

#[test]
fn backup_needs_a_database() {
    let output = schemagate().arg("backup").output().unwrap();
    support::assert_exit(&output, 2);
    assert!(text(&output.stderr).contains("backup needs a database"));
}
