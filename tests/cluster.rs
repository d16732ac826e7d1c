//! The ephemeral cluster and `--database-url`: nothing is left behind (no process, no
//! directory, no database) after success, failure, panic, SIGINT and SIGTERM, a damaged
//! cache is rebuilt, and a URL run never touches another database.

mod support;

use schemagate::postgres::cluster::{self, Cluster, DataSource};
use serde_json::Value;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn project(supabase: bool, files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let migrations = if supabase {
        dir.path().join("supabase/migrations")
    } else {
        dir.path().join("migrations")
    };
    std::fs::create_dir_all(&migrations).unwrap();
    for (name, text) in files {
        std::fs::write(migrations.join(name), text).unwrap();
    }
    dir
}

fn schemagate(dir: &Path, cache: &Path, extra: &[&str]) -> Command {
    let mut command = support::schemagate();
    command
        .arg("check")
        .arg(dir)
        .args(["--format", "json", "-q"])
        .args(extra)
        .env("XDG_CACHE_HOME", cache);
    command
}

fn run_json(mut command: Command) -> (i32, Value) {
    let output = command.output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let document = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "no JSON ({e}): {stdout}\n{}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    (output.status.code().unwrap_or(-1), document)
}

/// Processes whose command line mentions `needle`.
fn processes_mentioning(needle: &str) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        if let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) {
            let text = String::from_utf8_lossy(&cmdline).replace('\0', " ");
            if text.contains(needle) {
                found.push(format!("{}: {text}", entry.file_name().to_string_lossy()));
            }
        }
    }
    found
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

async fn query_strings(config: &tokio_postgres::Config, sql: &str) -> Vec<String> {
    let (client, connection) = config.connect(tokio_postgres::NoTls).await.unwrap();
    tokio::spawn(connection);
    client
        .query(sql, &[])
        .await
        .unwrap()
        .iter()
        .map(|row| row.get::<_, String>(0))
        .collect()
}

#[test]
fn database_url_works_in_a_scratch_database_and_drops_it_then_panic_cleans_up() {
    let bin = support::pg::pg_majors().pop().unwrap();
    let owner = cluster::server_owner().unwrap();
    let server = Cluster::start(&bin, DataSource::Initdb, owner, false).unwrap();
    let admin = server.config("postgres");
    let rt = runtime();
    rt.block_on(async {
        let (client, connection) = admin.connect(tokio_postgres::NoTls).await.unwrap();
        tokio::spawn(connection);
        client
            .batch_execute("create database keepme")
            .await
            .unwrap();
        // Like a service container's server, which has a `postgres` role (the prelude grants
        // to it); this cluster's superuser is `supabase_admin`.
        client
            .batch_execute("create role postgres login superuser")
            .await
            .unwrap();
        client
            .batch_execute(
                "create table public.marker (id int); insert into public.marker values (42);",
            )
            .await
            .unwrap();
    });
    let databases = "select datname::text from pg_database order by 1";
    let tables = "select format('%s.%s', schemaname, tablename) from pg_tables where schemaname not in ('pg_catalog', 'information_schema') order by 1";
    let before = rt.block_on(query_strings(&admin, databases));
    let tables_before = rt.block_on(query_strings(&admin, tables));
    let url = format!(
        "host={} port={} user={} dbname=postgres",
        server.dir.display(),
        cluster::PORT,
        cluster::SUPERUSER
    );

    let good = project(
        true,
        &[(
            "20240101000000_a.sql",
            "create table public.notes (id int, owner uuid references auth.users);",
        )],
    );
    let (code, document) = run_json(schemagate(
        good.path(),
        &support::cache_dir(),
        &["--database-url", &url],
    ));
    assert_eq!(code, 1, "rls-disabled on public.notes: {document:#}");
    assert_eq!(
        document["apply"][0]["files"][0]["status"], "applied",
        "{document:#}"
    );
    let description = document["apply"][0]["server"].as_str().unwrap().to_string();
    assert!(
        description.contains("scratch database schemagate_scratch_"),
        "{description}"
    );
    let bad = project(
        true,
        &[("20240101000000_a.sql", "select * from public.nothing;")],
    );
    let (code, _) = run_json(schemagate(
        bad.path(),
        &support::cache_dir(),
        &["--database-url", &url],
    ));
    assert_eq!(code, 1);

    assert_eq!(
        rt.block_on(query_strings(&admin, databases)),
        before,
        "scratch databases are dropped"
    );
    assert_eq!(
        rt.block_on(query_strings(&admin, tables)),
        tables_before,
        "the URL's database is untouched"
    );
    let mut keepme = admin.clone();
    keepme.dbname("keepme");
    assert!(rt.block_on(query_strings(&keepme, tables)).is_empty());

    // A panic while the cluster is alive still stops the server and deletes its directory.
    let dir = server.dir.clone();
    let needle = dir.to_string_lossy().into_owned();
    assert!(!processes_mentioning(&needle).is_empty());
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || {
        let _server = server;
        panic!("boom");
    }));
    assert!(result.is_err());
    assert!(!dir.exists(), "{} left behind", dir.display());
    assert_eq!(processes_mentioning(&needle), Vec::<String>::new());
}

/// Starts `check` on a migration that sleeps, waits (polling the filesystem) until its
/// server is up, sends `signal`, and checks the exit code and that nothing is left.
fn interrupted_by(signal: i32, expected_code: i32) {
    let tmp = tempfile::tempdir().unwrap();
    // The server runs as the postgres user: it must be able to reach its directory.
    std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let dir = project(
        true,
        &[("20240101000000_sleep.sql", "select pg_sleep(120);")],
    );
    let mut command = schemagate(
        dir.path(),
        &support::cache_dir(),
        &["--statement-timeout", "5m"],
    );
    let mut child = command
        .env("TMPDIR", tmp.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    let cluster_dir = loop {
        let ready = std::fs::read_dir(tmp.path()).unwrap().flatten().find(|e| {
            e.file_name().to_string_lossy().starts_with("schemagate-")
                && std::fs::read_to_string(e.path().join("data/postmaster.pid"))
                    .is_ok_and(|pid| pid.lines().nth(7).is_some_and(|l| l.trim() == "ready"))
        });
        if let Some(entry) = ready {
            break entry.path();
        }
        assert!(Instant::now() < deadline, "the cluster never came up");
        assert!(
            child.try_wait().unwrap().is_none(),
            "check ended before the signal"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    // SAFETY: sending a signal to our own child.
    unsafe {
        libc::kill(child.id() as libc::pid_t, signal);
    }
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(expected_code));
    assert!(
        !cluster_dir.exists(),
        "{} left behind",
        cluster_dir.display()
    );
    let leftovers: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    assert_eq!(
        processes_mentioning(&cluster_dir.to_string_lossy()),
        Vec::<String>::new()
    );
}

#[test]
fn sigint_stops_the_server_and_removes_the_directory() {
    interrupted_by(libc::SIGINT, 130);
}

#[test]
fn sigterm_stops_the_server_and_removes_the_directory() {
    interrupted_by(libc::SIGTERM, 143);
}

#[test]
fn a_damaged_cache_is_detected_and_rebuilt() {
    let cache = tempfile::tempdir().unwrap();
    let dir = project(
        false,
        &[("1_a.sql", "create table t (id int primary key);")],
    );
    let folder = dir.path().join("migrations");
    let (_, document) = run_json(schemagate(&folder, cache.path(), &[]));
    assert_eq!(
        document["apply"][0]["files"][0]["status"], "applied",
        "{document:#}"
    );
    let entries: Vec<PathBuf> = std::fs::read_dir(cache.path().join("schemagate"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    assert_eq!(entries.len(), 1, "{entries:?}");
    let entry = &entries[0];
    let key = entry.file_name().unwrap().to_string_lossy().into_owned();
    assert_eq!(std::fs::read_to_string(entry.join("READY")).unwrap(), key);
    // Damage it: a foreign marker and a missing control file.
    std::fs::write(entry.join("READY"), "someone else's cache").unwrap();
    std::fs::remove_file(entry.join("data/global/pg_control")).unwrap();
    let (_, document) = run_json(schemagate(&folder, cache.path(), &[]));
    assert_eq!(
        document["apply"][0]["files"][0]["status"], "applied",
        "{document:#}"
    );
    assert_eq!(std::fs::read_to_string(entry.join("READY")).unwrap(), key);
    assert!(entry.join("data/global/pg_control").is_file());
}
