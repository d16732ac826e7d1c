//! The catalog snapshot behind `diff`, the order check and the dump verification, on every
//! PostgreSQL major the tests run on.

mod support;

use schemagate::diff::Snapshot;
use support::pg::{pg_majors, TestServer};

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// `(kind, identity)` of every object in the snapshot of `sql` applied to a fresh database.
fn snapshot_of(server: &TestServer, sql: &str) -> Vec<(String, String)> {
    runtime().block_on(async {
        let client = server.connect("postgres").await;
        client.batch_execute(sql).await.unwrap();
        let snapshot = Snapshot::take(&client).await.unwrap();
        snapshot
            .objects
            .keys()
            .map(|key| (key.kind.clone(), key.identity.clone()))
            .collect()
    })
}

#[test]
fn identities_longer_than_63_bytes_are_kept_whole() {
    let table = "t".repeat(60);
    let sql = format!(
        "create schema long_schema_name;\n\
         create table long_schema_name.{table} (first_column int, second_column int);\n"
    );
    for bin in pg_majors() {
        let server = TestServer::start_on(&bin);
        let objects = snapshot_of(&server, &sql);
        for column in ["first_column", "second_column"] {
            let identity = format!("long_schema_name.{table}.{column}");
            assert!(
                objects.contains(&("column".to_string(), identity.clone())),
                "PostgreSQL {}: no column {identity} in {objects:?}",
                bin.version
            );
        }
    }
}

#[test]
fn not_null_is_an_attribute_of_the_column_only() {
    for bin in pg_majors() {
        let server = TestServer::start_on(&bin);
        let objects = snapshot_of(
            &server,
            "create table t (id int primary key, name text not null);",
        );
        let constraints: Vec<&str> = objects
            .iter()
            .filter(|(kind, _)| kind == "constraint")
            .map(|(_, identity)| identity.as_str())
            .collect();
        assert_eq!(
            constraints,
            ["public.t.t_pkey"],
            "PostgreSQL {}",
            bin.version
        );
    }
}
