//! Through PgBouncer in transaction mode (Debian's `pgbouncer`, no prepared-statement
//! support): the read-only commands work, one transaction each; the commands that need a
//! session refuse with the session-mode URL to use instead.

mod support;

use support::pg::{Pooler, TestServer};

const MIGRATION: &str = "create table public.notes (id bigint primary key, body text);\n";

#[test]
fn read_only_commands_work_through_a_transaction_pooler_and_session_commands_refuse() {
    let server = TestServer::start();
    server.execute(
        "postgres",
        &format!(
            "create schema supabase_migrations;
             create table supabase_migrations.schema_migrations
                 (version text primary key, name text, statements text[]);
             insert into supabase_migrations.schema_migrations
                 values ('20240101000000', 'notes', array[$${MIGRATION}$$]);
             {MIGRATION}"
        ),
    );
    let pooler = Pooler::start(&server);
    let url = format!(
        "postgresql://postgres@127.0.0.1:{}/postgres?pgbouncer=true",
        pooler.port
    );
    let project = support::supabase_project(&[("20240101000000_notes.sql", MIGRATION)]);

    // Twice each: a second run would meet the first one's prepared statements if any
    // outlived its transaction on the pooled server session.
    for _ in 0..2 {
        let inspect = support::run_in(
            project.path(),
            &["inspect", "--database-url", &url, "--format", "json"],
        );
        assert_ne!(
            inspect.status.code(),
            Some(3),
            "{}",
            support::text(&inspect.stderr)
        );
        assert_ne!(
            inspect.status.code(),
            Some(2),
            "{}",
            support::text(&inspect.stderr)
        );
        let document: serde_json::Value = serde_json::from_slice(&inspect.stdout).unwrap();
        assert!(document["findings"].is_array(), "{document:#}");

        let status = support::run_in(
            project.path(),
            &["status", ".", "--database-url", &url, "--format", "json"],
        );
        support::assert_exit(&status, 0);
        let document: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
        let rows = document["status"].to_string();
        assert!(
            rows.contains("20240101000000") && rows.contains("applied"),
            "{document:#}"
        );
    }

    let check = support::run_in(project.path(), &["check", ".", "--database-url", &url]);
    support::assert_exit(&check, 2);
    let message = support::text(&check.stderr);
    assert!(
        message.contains("transaction-mode pooler") && message.contains("port 5432"),
        "{message}"
    );
}
