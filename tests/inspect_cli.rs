//! `schemagate inspect` end to end: the binary against a PostgreSQL the test starts, over
//! a `postgresql://…?host=<socket dir>` URL.

mod support;

use std::process::Output;
use support::pg::TestServer;
use tokio_postgres::Client;

/// Everything the catalog rules could plausibly change if they wrote: relations, columns'
/// owners, functions, policies, schemas, databases, roles, extensions, role settings.
const CATALOG_CHECKSUM: &str = "
select md5(string_agg(item, E'\\n' order by item)) from (
    select format('class %s %s %s %s %s %s %s', oid, relname, relkind, relrowsecurity, relforcerowsecurity, relacl, reloptions) from pg_class
    union all select format('proc %s %s %s %s %s', oid, proname, proconfig, proacl, md5(prosrc)) from pg_proc
    union all select format('policy %s %s %s %s', oid, polname, polroles, pg_get_expr(polqual, polrelid)) from pg_policy
    union all select format('namespace %s %s %s', oid, nspname, nspacl) from pg_namespace
    union all select format('database %s %s %s', oid, datname, datacl) from pg_database
    union all select format('role %s %s %s', oid, rolname, rolconfig) from pg_roles
    union all select format('extension %s %s', oid, extname) from pg_extension
    union all select format('setting %s %s %s', setdatabase, setrole, setconfig) from pg_db_role_setting
) as catalog(item)";

/// A Supabase-like database (its `auth` schema and API roles), so `inspect` picks the
/// supabase profile by itself.
const SCHEMA: &str = "
create role anon;
create role authenticated;
create schema auth;
create table public.notes (id bigint primary key, body text);
grant select on public.notes to anon;
create schema api;
create table api.items (id bigint primary key);
grant usage on schema api to anon;
grant select on api.items to anon;
";

fn schemagate(args: &[&str], env: &[(&str, &str)]) -> Output {
    schemagate_with_config(args, env, None)
}

/// Runs the binary in a fresh directory holding `config` as its schemagate.toml.
fn schemagate_with_config(args: &[&str], env: &[(&str, &str)], config: Option<&str>) -> Output {
    let workdir = tempfile::tempdir().expect("a working directory");
    if let Some(config) = config {
        std::fs::write(workdir.path().join("schemagate.toml"), config).expect("write the config");
    }
    let mut command = support::schemagate();
    command.args(args).current_dir(workdir.path());
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().expect("run schemagate")
}

fn json_of(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}):\n{}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

fn rule_objects(document: &serde_json::Value, rule: &str) -> Vec<String> {
    document["findings"]
        .as_array()
        .expect("a findings array")
        .iter()
        .filter(|f| f["rule"] == rule)
        .map(|f| f["object"].as_str().unwrap_or_default().to_string())
        .collect()
}

async fn checksum(client: &Client) -> String {
    client
        .query_one(CATALOG_CHECKSUM, &[])
        .await
        .unwrap()
        .get(0)
}

#[test]
fn inspect_reports_catalog_findings_and_writes_nothing() {
    let server = TestServer::start();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let client = runtime.block_on(server.connect("postgres"));
    runtime.block_on(client.batch_execute(SCHEMA)).unwrap();
    let before = runtime.block_on(checksum(&client));
    let url = server.url("postgres");

    // The gate fails on the rls-disabled error; the finding comes from the catalog.
    let output = schemagate(
        &["inspect", "--database-url", &url, "--format", "json"],
        &[],
    );
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let document = json_of(&output);
    assert_eq!(document["command"], "inspect");
    assert_eq!(document["passed"], false);
    assert_eq!(rule_objects(&document, "rls-disabled"), ["public.notes"]);
    let finding = document["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "rls-disabled")
        .unwrap();
    assert_eq!(finding["source"], "catalog");
    assert_eq!(finding["severity"], "error");

    // DATABASE_URL from the environment, other exposed schemas, and --fail-on never.
    let output = schemagate(
        &[
            "inspect",
            "--exposed-schemas",
            "api",
            "--format",
            "json",
            "--fail-on",
            "never",
        ],
        &[("DATABASE_URL", &url)],
    );
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        rule_objects(&json_of(&output), "rls-disabled"),
        ["api.items"]
    );

    // The tty report names the object and the rule.
    let output = schemagate(
        &["inspect", "--database-url", &url, "--color", "never"],
        &[],
    );
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.contains("error[rls-disabled]") && text.contains("public.notes"),
        "{text}"
    );

    // The configuration applies: a level lowers the error, an [[ignore]] entry suppresses.
    let output = schemagate_with_config(
        &["inspect", "--database-url", &url, "--format", "json"],
        &[],
        Some("[rules]\nrls-disabled = \"warning\"\n"),
    );
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let document = json_of(&output);
    let lowered: Vec<&serde_json::Value> = document["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "rls-disabled")
        .collect();
    assert!(!lowered.is_empty(), "the finding is still reported");
    assert!(
        lowered.iter().all(|f| f["severity"] == "warning"),
        "{lowered:#?}"
    );
    let output = schemagate_with_config(
        &["inspect", "--database-url", &url, "--format", "json"],
        &[],
        Some("[[ignore]]\nrule = \"rls-disabled\"\nobject = \"public.notes\"\nreason = \"public notes\"\n"),
    );
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let document = json_of(&output);
    let suppressed = document["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "rls-disabled")
        .unwrap();
    assert_eq!(suppressed["status"], "suppressed");

    // Nothing was written by any of the runs.
    assert_eq!(runtime.block_on(checksum(&client)), before);

    // The library runs inside a READ ONLY transaction too: any write would fail it.
    runtime.block_on(async {
        client.batch_execute("begin read only").await.unwrap();
        let findings = schemagate::inspect::run(
            &client,
            &schemagate::config::Config {
                exposed_schemas: vec!["public".to_string()],
                ..schemagate::config::Config::with_profile(schemagate::config::Profile::Supabase)
            },
        )
        .await
        .unwrap();
        client.batch_execute("rollback").await.unwrap();
        assert!(findings.iter().any(|f| f.rule == "rls-disabled"));
    });
    assert_eq!(runtime.block_on(checksum(&client)), before);

    // A server error is an environment error (exit 3) with the server's message, and the
    // password never shows.
    let bad_url = format!(
        "postgresql://postgres:hunter2@/no_such_db?host={}",
        server.socket_dir().display()
    );
    let output = schemagate(&["inspect", "--database-url", &bad_url], &[]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("database \"no_such_db\" does not exist"),
        "{stderr}"
    );
    assert!(stderr.contains("postgres:***@"), "{stderr}");
    assert!(
        !stderr.contains("hunter2") && !String::from_utf8_lossy(&output.stdout).contains("hunter2")
    );

    // No server at all behind the socket directory.
    let nowhere = tempfile::tempdir().unwrap();
    let output = schemagate(
        &[
            "inspect",
            "--database-url",
            &format!(
                "postgresql://postgres@/postgres?host={}",
                nowhere.path().display()
            ),
        ],
        &[],
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("cannot connect"), "{stderr}");
}

#[test]
fn inspect_without_a_database_is_a_usage_error() {
    let output = schemagate(&["inspect"], &[]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("--database-url") && stderr.contains("DATABASE_URL"),
        "{stderr}"
    );

    let output = schemagate(
        &[
            "inspect",
            "--database-url",
            "postgresql://u@h/db?sslmode=sometimes",
        ],
        &[],
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("not a valid PostgreSQL connection string"),
        "{stderr}"
    );
}

/// libpq's connection service file: `service=name` takes the section's settings, and what
/// the string itself says wins.
#[test]
fn a_service_names_the_server_and_the_string_overrides_it() {
    let server = TestServer::start();
    server.execute("postgres", "create table public.plain (id bigint);");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("services.conf");
    std::fs::write(
        &file,
        format!(
            "# test services\n[other]\nhost=/nonexistent\n\n[local]\nhost={}\nport={}\nuser=postgres\ndbname=postgres\n",
            server.socket_dir().display(),
            server.port
        ),
    )
    .unwrap();
    let file = file.to_string_lossy().into_owned();
    let env = [("PGSERVICEFILE", file.as_str())];

    let output = schemagate(
        &[
            "inspect",
            "--database-url",
            "service=local",
            "--format",
            "json",
        ],
        &env,
    );
    let document = json_of(&output);
    assert_eq!(document["command"], "inspect");
    // The service's database was reached: its table without a primary key is reported.
    assert_eq!(rule_objects(&document, "no-primary-key"), ["public.plain"]);

    // The string's own dbname wins over the service's.
    let output = schemagate(
        &[
            "inspect",
            "--database-url",
            "service=local dbname=elsewhere",
        ],
        &env,
    );
    assert_eq!(output.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("\"elsewhere\" does not exist"), "{stderr}");

    // libpq's environment variables fill in what neither says.
    let socket = server.socket_dir().to_string_lossy().into_owned();
    let port = server.port.to_string();
    let output = schemagate(
        &[
            "inspect",
            "--database-url",
            "dbname=postgres",
            "--format",
            "json",
        ],
        &[
            ("PGHOST", &socket),
            ("PGPORT", &port),
            ("PGUSER", "postgres"),
        ],
    );
    assert_eq!(
        rule_objects(&json_of(&output), "no-primary-key"),
        ["public.plain"]
    );

    // An unknown service is a usage error naming the file.
    let output = schemagate(&["inspect", "--database-url", "service=nope"], &env);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("service `nope` is not defined in") && stderr.contains(&file),
        "{stderr}"
    );
}

/// URLs as users paste them: a percent-encoded password with `@`, `/`, `:` and `%`, an IPv6
/// literal, and a host list whose first host is down (the next one is tried, as libpq does).
#[test]
fn urls_with_encoded_passwords_ipv6_literals_and_host_lists() {
    let port = support::pg::free_port();
    let server = TestServer::start_with(&support::pg::Setup {
        port: Some(port),
        settings: "listen_addresses = '127.0.0.1,::1'\npassword_encryption = 'scram-sha-256'\n",
        hba: Some(
            "local all all trust\n\
             host all all 127.0.0.1/32 scram-sha-256\n\
             host all all ::1/128 scram-sha-256\n",
        ),
        ..support::pg::Setup::default()
    });
    server.execute("postgres", "alter role postgres password 'p@ss/w:rd%1'");
    let password = "p%40ss%2Fw%3Ard%251";
    let down = support::pg::free_port();
    for url in [
        format!("postgresql://postgres:{password}@[::1]:{port}/postgres"),
        format!("postgresql://postgres:{password}@127.0.0.1:{down},[::1]:{port}/postgres"),
        format!("host=127.0.0.1,::1 port={down},{port} user=postgres password='p@ss/w:rd%1' dbname=postgres"),
    ] {
        let output = schemagate(&["inspect", "--database-url", &url, "--format", "json"], &[]);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{url}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    // A wrong password says so, without printing it.
    let output = schemagate(
        &[
            "inspect",
            "--database-url",
            &format!("postgresql://postgres:wr%40ng@[::1]:{port}/postgres"),
        ],
        &[],
    );
    assert_eq!(output.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("password authentication failed"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("wr@ng") && !stderr.contains("wr%40ng"),
        "{stderr}"
    );
}
