//! A pull request's migrations are hostile input. Through the binary, against real
//! PostgreSQL: they run as a role without superuser, so running programs, reading server
//! files, changing the server and becoming a superuser fail with a finding that says so; the
//! server's environment holds no secret of schemagate's; a program it starts dies with it;
//! and with `--database-url` nothing but the scratch database is touched. Ordinary
//! Supabase migrations (extensions, policies on storage, triggers on auth) still apply.

mod support;

use serde_json::Value;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Output;

fn run(dir: &Path, extra: &[&str], env: &[(&str, &str)]) -> Output {
    support::schemagate()
        .arg("check")
        .arg(dir)
        .args(["--format", "json", "-q"])
        .args(extra)
        .envs(env.iter().copied())
        .output()
        .unwrap()
}

fn report(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "no JSON ({e}): {}\nstderr: {}",
            support::text(&output.stdout),
            support::text(&output.stderr)
        )
    })
}

/// The `apply-failed` finding's message (there must be exactly one).
fn apply_failure(document: &Value) -> String {
    let found: Vec<&Value> = document["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "apply-failed")
        .collect();
    assert_eq!(found.len(), 1, "{document:#}");
    found[0]["message"].as_str().unwrap().to_string()
}

/// Runs `check --apply-as superuser` and asserts the migrations applied.
fn applies_as_superuser(dir: &Path) {
    let output = run(dir, &["--apply-as", "superuser", "--fail-on", "never"], &[]);
    support::assert_exit(&output, 0);
    let report = report(&output);
    let statuses = support::apply_statuses(&report);
    assert!(statuses.iter().all(|s| s == "applied"), "{statuses:?}");
    let server = report["apply"][0]["server"].as_str().unwrap();
    assert!(
        server.ends_with(", as the superuser supabase_admin)"),
        "{server}"
    );
}

/// A directory the server's user may write to (it runs as `postgres` when we are root), so
/// a refused command is refused by PostgreSQL, not by file permissions.
fn writable_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
    dir
}

#[test]
fn copy_from_program_runs_nothing_and_says_a_superuser_is_needed() {
    let shared = writable_dir();
    let marker = shared.path().join("marker");
    let migration = format!(
        "create table t (line text);\ncopy t from program 'touch {}';\n",
        marker.display()
    );
    let dir = support::supabase_project(&[("20240101000000_attack.sql", &migration)]);

    let output = run(dir.path(), &[], &[]);
    support::assert_exit(&output, 1);
    let document = report(&output);
    assert_eq!(support::apply_statuses(&document), ["failed"]);
    let message = apply_failure(&document);
    assert!(message.contains("42501"), "{message}");
    assert!(message.contains("needs a superuser"), "{message}");
    assert!(!marker.exists(), "the program ran");

    // The opt-out really is a superuser: the same migration runs the program.
    applies_as_superuser(dir.path());
    assert!(marker.exists(), "--apply-as superuser should run it");
}

#[test]
fn what_only_a_superuser_may_do_fails_with_a_finding_that_says_so() {
    let shared = writable_dir();
    let written = shared.path().join("written");
    let attacks = [
        "create table t (line text);\ncopy t from '/etc/passwd';".to_string(),
        format!("copy (select 1) to '{}';", written.display()),
        "alter system set work_mem = '1MB';".to_string(),
        "create role boss superuser;".to_string(),
        "grant pg_execute_server_program to postgres;".to_string(),
        "create role helper;\ngrant pg_read_server_files to helper;".to_string(),
        "select pg_read_file('PG_VERSION');".to_string(),
        "create function f() returns int language c as 'libc', 'getpid';".to_string(),
    ];
    for attack in &attacks {
        let dir = support::supabase_project(&[("20240101000000_attack.sql", attack)]);
        let output = run(dir.path(), &[], &[]);
        support::assert_exit(&output, 1);
        let message = apply_failure(&report(&output));
        assert!(
            message.contains("42501") && message.contains("needs a superuser"),
            "{attack}: {message}"
        );
    }
    assert!(!written.exists());
}

#[test]
fn a_migration_cannot_get_back_to_the_superuser() {
    for attack in [
        "reset role;\ncreate role boss superuser;",
        "set role supabase_admin;",
        "set session authorization supabase_admin;",
        "reset session authorization;\ncreate role boss superuser;",
    ] {
        let dir = support::supabase_project(&[("20240101000000_attack.sql", attack)]);
        let output = run(dir.path(), &[], &[]);
        support::assert_exit(&output, 1);
        let message = apply_failure(&report(&output));
        assert!(message.contains("42501"), "{attack}: {message}");
    }
}

#[test]
fn plain_postgresql_migrations_run_as_the_database_owner_without_superuser() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("001_init.sql"),
        "create table t (id int primary key);
         do $$ begin
           if (select rolsuper from pg_roles where rolname = session_user) then
             raise exception 'applied as a superuser';
           end if;
           if (select pg_get_userbyid(datdba) from pg_database where datname = current_database()) <> session_user then
             raise exception 'not the database owner';
           end if;
         end $$;",
    )
    .unwrap();
    let output = run(
        dir.path(),
        &["--layout", "plain", "--fail-on", "never"],
        &[],
    );
    support::assert_exit(&output, 0);
    let report = report(&output);
    assert_eq!(support::apply_statuses(&report), ["applied"]);
    let server = report["apply"][0]["server"].as_str().unwrap();
    assert!(server.ends_with(", as postgres)"), "{server}");
}

#[test]
fn the_server_environment_holds_no_secret_of_schemagate() {
    let secret = "ghs_secretvalue";
    let dir = support::supabase_project(&[(
        "20240101000000_env.sql",
        "create table e (line text);\ncopy e from program 'env';\ndo $$ begin raise exception 'server environment: %', (select string_agg(line, ' ') from e); end $$;\n",
    )]);
    let reports = tempfile::tempdir().unwrap();
    let html = reports.path().join("report.html");
    let markdown = reports.path().join("report.md");
    let output = run(
        dir.path(),
        &[
            "--output",
            &format!("html={}", html.display()),
            "--output",
            &format!("markdown={}", markdown.display()),
        ],
        &[
            ("GITHUB_TOKEN", secret),
            ("SCHEMAGATE_APPLY_AS", "superuser"),
        ],
    );
    support::assert_exit(&output, 1);
    let message = apply_failure(&report(&output));
    // The program ran and its output reached the report: only the secret is missing.
    assert!(message.contains("server environment: "), "{message}");
    assert!(message.contains("PATH="), "{message}");
    let everything = [
        support::text(&output.stdout),
        support::text(&output.stderr),
        std::fs::read_to_string(&html).unwrap(),
        std::fs::read_to_string(&markdown).unwrap(),
    ];
    for text in everything {
        assert!(!text.contains(secret), "the secret leaked");
        assert!(
            !text.contains("GITHUB_TOKEN"),
            "schemagate's environment leaked"
        );
    }
}

/// Processes whose command line is exactly `words`.
fn processes_running(words: &[&str]) -> Vec<u32> {
    let wanted = words.join("\0") + "\0";
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter(|entry| {
            std::fs::read(entry.path().join("cmdline"))
                .is_ok_and(|cmdline| cmdline == wanted.as_bytes())
        })
        .filter_map(|entry| entry.file_name().to_str()?.parse().ok())
        .collect()
}

#[test]
fn a_program_the_server_started_does_not_outlive_it() {
    let dir = support::supabase_project(&[(
        "20240101000000_detach.sql",
        "create table t (line text);\ncopy t from program 'setsid sleep 31337 > /dev/null 2>&1 < /dev/null & sleep 31338 > /dev/null 2>&1 < /dev/null &';\n",
    )]);
    applies_as_superuser(dir.path());
    assert_eq!(processes_running(&["sleep", "31337"]), Vec::<u32>::new());
    assert_eq!(processes_running(&["sleep", "31338"]), Vec::<u32>::new());
}

#[test]
fn supabase_migrations_with_extensions_apply_fully_as_the_migrator() {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/example");
    let output = run(&example, &["--fail-on", "never"], &[]);
    support::assert_exit(&output, 0);
    let document = report(&output);
    assert_eq!(
        support::apply_statuses(&document),
        ["applied"; 4],
        "{document:#}"
    );

    let dir = support::supabase_project(&[
        (
            "20240101000000_extensions.sql",
            "create extension if not exists pgcrypto with schema extensions;
             create extension if not exists \"uuid-ossp\" with schema extensions;
             create extension if not exists pg_trgm;
             create extension if not exists citext;
             create extension if not exists moddatetime schema extensions;
             create extension if not exists pg_stat_statements with schema extensions;
             create extension if not exists pg_net with schema extensions;
             create extension if not exists pg_cron with schema extensions;
             drop extension if exists pg_graphql;",
        ),
        (
            "20240102000000_tables.sql",
            "create table public.notes (
               id uuid primary key default extensions.uuid_generate_v4(),
               owner uuid references auth.users,
               body citext,
               token text default encode(extensions.gen_random_bytes(8), 'hex'),
               updated_at timestamptz
             );
             alter table public.notes enable row level security;
             create policy own on public.notes for all to authenticated using (owner = auth.uid());
             grant select on public.notes to anon;
             create trigger touch before update on public.notes
               for each row execute procedure extensions.moddatetime(updated_at);
             alter publication supabase_realtime add table public.notes;
             create policy read_avatars on storage.objects for select using (bucket_id = 'avatars');
             create function public.on_signup() returns trigger language plpgsql security definer
               set search_path = '' as $$ begin return new; end $$;
             create trigger on_signup after insert on auth.users
               for each row execute function public.on_signup();
             select cron.schedule('nightly', '0 3 * * *', 'select 1');
             select net.http_get('https://example.com');
             alter role authenticator set pgrst.db_schemas = 'public, api';
             create role app_reader nologin;
             grant app_reader to authenticated;",
        ),
    ]);
    let output = run(dir.path(), &["--fail-on", "never"], &[]);
    support::assert_exit(&output, 0);
    let document = report(&output);
    assert_eq!(
        support::apply_statuses(&document),
        ["applied", "applied"],
        "{document:#}"
    );
}

mod database_url {
    use super::*;
    use support::pg::TestServer;

    async fn strings(client: &tokio_postgres::Client, sql: &str) -> Vec<String> {
        client
            .query(sql, &[])
            .await
            .unwrap()
            .iter()
            .map(|row| row.get::<_, Option<String>>(0).unwrap_or_default())
            .collect()
    }

    /// A test server, a runtime and a superuser's client connected to `postgres`.
    fn start_server() -> (TestServer, tokio::runtime::Runtime, tokio_postgres::Client) {
        let server = TestServer::start();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let client = runtime.block_on(server.connect("postgres"));
        (server, runtime, client)
    }

    /// What the attacks below would change: databases, roles, settings.
    async fn server_state(client: &tokio_postgres::Client) -> Vec<Vec<String>> {
        vec![
            strings(client, "select datname::text from pg_database order by 1").await,
            strings(client, "select rolname::text from pg_roles order by 1").await,
            strings(
                client,
                "select coalesce(d.datname, '') || ' ' || array_to_string(setconfig, ',') from pg_db_role_setting s left join pg_database d on d.oid = s.setdatabase order by 1",
            )
            .await,
            strings(
                client,
                "select name || '=' || setting from pg_file_settings order by 1",
            )
            .await,
            strings(client, "select pg_read_file('postgresql.auto.conf')").await,
        ]
    }

    #[test]
    fn touches_nothing_but_its_scratch_database() {
        let (server, runtime, client) = start_server();
        runtime
            .block_on(client.batch_execute("create database precious"))
            .unwrap();
        let url = server.url("postgres");
        // The first run creates the Supabase roles the prelude needs (only if missing): the
        // one change a run makes outside its scratch database.
        let harmless = support::supabase_project(&[("20240101000000_ok.sql", "select 1;")]);
        support::assert_exit(&run(harmless.path(), &["--database-url", &url], &[]), 0);
        let before = runtime.block_on(server_state(&client));
        assert!(before[0].contains(&"precious".to_string()));

        for attack in [
            "drop database precious;",
            "alter system set work_mem = '1MB';",
            "create role evil superuser;",
            "create role evil;",
            "alter database postgres set search_path = evil;",
            "drop table if exists public.x;\ncopy (select 1) to program 'true';",
        ] {
            let dir = support::supabase_project(&[("20240101000000_attack.sql", attack)]);
            let output = run(dir.path(), &["--database-url", &url], &[]);
            support::assert_exit(&output, 1);
            let message = apply_failure(&report(&output));
            assert!(message.contains("42501"), "{attack}: {message}");
        }

        let after = runtime.block_on(server_state(&client));
        assert_eq!(after, before, "the server changed");
        let left = runtime.block_on(strings(&client, LEFT_BEHIND));
        assert_eq!(left, Vec::<String>::new(), "scratch database or role left");
    }

    const LEFT_BEHIND: &str = "select datname::text from pg_database where datname like 'schemagate%' union all select rolname::text from pg_roles where rolname like 'schemagate%'";

    #[test]
    fn sigint_drops_the_scratch_database_and_its_role() {
        let (server, runtime, client) = start_server();
        let dir =
            support::supabase_project(&[("20240101000000_sleep.sql", "select pg_sleep(120);")]);
        let mut child = support::schemagate()
            .arg("check")
            .arg(dir.path())
            .args([
                "-q",
                "--statement-timeout",
                "5m",
                "--database-url",
                &server.url("postgres"),
            ])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        // Waits (polling the server) until the migration runs as the scratch role.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
        loop {
            let sleeping = runtime.block_on(strings(
                &client,
                "select usename::text from pg_stat_activity where usename like 'schemagate_scratch%' and query like '%pg_sleep%'",
            ));
            if !sleeping.is_empty() {
                break;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "the apply never started"
            );
            assert!(
                child.try_wait().unwrap().is_none(),
                "check ended before the signal"
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        // SAFETY: sending a signal to our own child.
        unsafe {
            libc::kill(child.id() as libc::pid_t, libc::SIGINT);
        }
        assert_eq!(child.wait().unwrap().code(), Some(130));
        assert_eq!(
            runtime.block_on(strings(&client, LEFT_BEHIND)),
            Vec::<String>::new(),
            "scratch database or role left"
        );
    }

    #[test]
    fn migrations_run_as_a_role_of_their_own_that_owns_the_scratch_database() {
        let server = TestServer::start();
        let dir = support::supabase_project(&[(
            "20240101000000_who.sql",
            "do $$ begin raise exception 'apply role: % super=% owner=%', session_user,
               (select rolsuper from pg_roles where rolname = session_user),
               (select pg_get_userbyid(datdba) = session_user from pg_database where datname = current_database()); end $$;",
        )]);
        let output = run(
            dir.path(),
            &["--database-url", &server.url("postgres")],
            &[],
        );
        support::assert_exit(&output, 1);
        let message = apply_failure(&report(&output));
        assert!(
            message.contains("apply role: schemagate_scratch_")
                && message.contains("super=f owner=t"),
            "{message}"
        );
    }
}
