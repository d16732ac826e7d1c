//! Every catalog rule against a real PostgreSQL: `testdata/catalog/<rule-id>/bad.sql` must
//! produce exactly the objects its `-- expect: <object>` lines name, `good.sql` none. Each
//! fixture runs in a transaction that is rolled back, so roles and schemas a fixture
//! creates never leak into the next.

mod support;

use schemagate::config::{Config, Profile};
use schemagate::findings::{Finding, Source};
use schemagate::inspect::{self, CATALOG_RULES};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use support::pg::TestServer;
use tokio_postgres::Client;

fn fixture_dir(rule: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/catalog")
        .join(rule)
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn config() -> Config {
    Config {
        exposed_schemas: vec!["public".to_string()],
        ..Config::with_profile(Profile::Supabase)
    }
}

/// The API roles for fixtures that do not create them: Supabase's `anon` and
/// `authenticated`, free to read everything in `public` as Supabase's default privileges
/// let them. A fixture that creates the roles itself decides their privileges.
const API_ROLES: &str = "
do $$
declare role text;
begin
  if exists (select from pg_roles where rolname in ('anon', 'authenticated')) then
    return;
  end if;
  foreach role in array array['anon', 'authenticated'] loop
    execute format('create role %I', role);
    execute format('grant usage on schema public to %I', role);
    execute format('grant select on all tables in schema public to %I', role);
    execute format('grant execute on all functions in schema public to %I', role);
  end loop;
end $$;
";

/// Applies `sql` and [`API_ROLES`] in a transaction, runs the catalog rules, rolls back.
async fn findings_for(client: &Client, sql: &str) -> Result<Vec<Finding>, String> {
    client
        .batch_execute("begin")
        .await
        .map_err(|e| e.to_string())?;
    let result = match client.batch_execute(&format!("{sql}\n{API_ROLES}")).await {
        Ok(()) => inspect::run(client, &config())
            .await
            .map_err(|e| format!("inspect: {e:?}")),
        Err(e) => Err(format!("fixture: {e:?}")),
    };
    client
        .batch_execute("rollback")
        .await
        .map_err(|e| e.to_string())?;
    result
}

fn objects_of(findings: &[Finding], rule: &str) -> BTreeSet<String> {
    findings
        .iter()
        .filter(|f| f.rule == rule)
        .filter_map(|f| f.object.clone())
        .collect()
}

async fn check_fixtures(client: &Client) -> Vec<String> {
    let mut failures = Vec::new();
    let mut messages = String::new();
    for rule in CATALOG_RULES {
        let dir = fixture_dir(rule.id);
        let bad = read(&dir.join("bad.sql"));
        let expected: BTreeSet<String> = bad
            .lines()
            .filter_map(|line| line.strip_prefix("-- expect: "))
            .map(|object| object.trim().to_string())
            .collect();
        if expected.is_empty() {
            failures.push(format!("{}: bad.sql expects nothing", rule.id));
        }
        match findings_for(client, &bad).await {
            Ok(findings) => {
                let found = objects_of(&findings, rule.id);
                if found != expected {
                    failures.push(format!(
                        "{} bad.sql: expected {expected:?}, found {found:?}",
                        rule.id
                    ));
                }
                let mut fingerprints: Vec<&str> =
                    findings.iter().map(|f| f.fingerprint.as_str()).collect();
                fingerprints.sort_unstable();
                if let Some(pair) = fingerprints.windows(2).find(|pair| pair[0] == pair[1]) {
                    failures.push(format!(
                        "{} bad.sql: two findings share the fingerprint {}",
                        rule.id, pair[0]
                    ));
                }
                for finding in findings.iter().filter(|f| f.rule == rule.id) {
                    if finding.source != Source::Catalog || finding.fingerprint.is_empty() {
                        failures.push(format!(
                            "{}: not a finished catalog finding: {finding:?}",
                            rule.id
                        ));
                    }
                    messages.push_str(&format!("{}: {}\n", finding.rule, finding.message));
                }
            }
            Err(error) => failures.push(format!("{} bad.sql: {error}", rule.id)),
        }
        match findings_for(client, &read(&dir.join("good.sql"))).await {
            Ok(findings) => {
                let found = objects_of(&findings, rule.id);
                if !found.is_empty() {
                    failures.push(format!("{} good.sql: unexpected {found:?}", rule.id));
                }
            }
            Err(error) => failures.push(format!("{} good.sql: {error}", rule.id)),
        }
    }
    if failures.is_empty() {
        insta::assert_snapshot!("catalog_rule_messages", messages);
    }
    failures
}

#[test]
fn catalog_rules_against_postgres() {
    let server = TestServer::start();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let client = server.connect("postgres").await;

        let failures = check_fixtures(&client).await;
        assert!(failures.is_empty(), "\n{}", failures.join("\n"));

        // With the API roles and Supabase's default privileges, a new exposed table
        // without RLS counts.
        let findings = findings_for(
            &client,
            "create table public.plain (id bigint primary key);",
        )
        .await
        .unwrap();
        assert_eq!(
            objects_of(&findings, "rls-disabled"),
            BTreeSet::from(["public.plain".to_string()])
        );

        // Another exposed schema, passed as the parameter.
        client
            .batch_execute(&format!(
                "begin; create schema api; create table api.items (id bigint primary key); \
                 {API_ROLES} grant usage on schema api to anon; grant select on api.items to anon;"
            ))
            .await
            .unwrap();
        let api = Config {
            exposed_schemas: vec!["api".to_string()],
            ..Config::with_profile(Profile::Supabase)
        };
        let findings = inspect::run(&client, &api).await.unwrap();
        client.batch_execute("rollback").await.unwrap();
        assert_eq!(
            objects_of(&findings, "rls-disabled"),
            BTreeSet::from(["api.items".to_string()])
        );

        // An exposed schema the API roles may not use hides its tables from them.
        client
            .batch_execute(
                &format!("begin; create schema api; \
                 create table api.items (id bigint primary key); {API_ROLES} grant select on api.items to anon;"),
            )
            .await
            .unwrap();
        let findings = inspect::run(&client, &api).await.unwrap();
        client.batch_execute("rollback").await.unwrap();
        assert!(objects_of(&findings, "rls-disabled").is_empty(), "{findings:?}");

        // The caller's search_path is left as it was.
        client
            .batch_execute("set search_path = public, extensions")
            .await
            .unwrap();
        inspect::run(&client, &config()).await.unwrap();
        let row = client.query_one("show search_path", &[]).await.unwrap();
        assert_eq!(row.get::<_, String>(0), "public, extensions");
        // Also when a rule's query fails (here: a role that may not call a function the
        // API rules use), outside any transaction that would undo the change.
        client
            .batch_execute(
                "create role plain; \
                 revoke execute on function pg_catalog.has_any_column_privilege(oid, oid, text) from public; \
                 set role plain",
            )
            .await
            .unwrap();
        let error = inspect::run(&client, &config()).await.unwrap_err();
        assert!(format!("{error:?}").contains("permission denied"), "{error:?}");
        let row = client.query_one("show search_path", &[]).await.unwrap();
        assert_eq!(row.get::<_, String>(0), "public, extensions");
        client
            .batch_execute(
                "reset role; \
                 grant execute on function pg_catalog.has_any_column_privilege(oid, oid, text) to public",
            )
            .await
            .unwrap();

        // A rule turned off in the config runs no query and reports nothing.
        let mut off = config();
        off.rules.insert(
            "rls-disabled".to_string(),
            schemagate::config::RuleLevel::Off,
        );
        client
            .batch_execute("begin; create table public.plain (id bigint primary key);")
            .await
            .unwrap();
        let findings = inspect::run(&client, &off).await.unwrap();
        client.batch_execute("rollback").await.unwrap();
        assert!(objects_of(&findings, "rls-disabled").is_empty());
    });
}

#[test]
fn every_catalog_rule_has_fixtures() {
    for rule in CATALOG_RULES {
        let dir = fixture_dir(rule.id);
        assert!(dir.join("bad.sql").is_file(), "{} has no bad.sql", rule.id);
        assert!(
            dir.join("good.sql").is_file(),
            "{} has no good.sql",
            rule.id
        );
    }
}
