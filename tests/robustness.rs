//! Hostile and degenerate input, and faults: nothing hangs, nothing aborts.

mod support;

use std::fs;
use support::{assert_exit, run_in, text};

fn json(output: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", text(&output.stdout)))
}

/// A temporary project and its (empty) `supabase/migrations` folder.
fn project() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("supabase/migrations");
    fs::create_dir_all(&folder).unwrap();
    (dir, folder)
}

/// A statement of a kind schemagate parses (a view: data statements are not parsed).
fn or_chain(terms: usize) -> String {
    format!(
        "create view public.v{terms} as select 1 as one where {};\n",
        vec!["1 = 1"; terms].join(" or ")
    )
}

#[test]
fn a_flat_chain_of_140000_or_terms_is_an_unparsed_statement_not_an_abort() {
    let (dir, folder) = project();
    fs::write(folder.join("20240101000000_deep.sql"), or_chain(140_000)).unwrap();
    // Just under the limit: parsed, and every walk over its tree fits the stack.
    fs::write(folder.join("20240102000000_near.sql"), or_chain(490)).unwrap();

    let output = run_in(dir.path(), &["lint", ".", "--format", "json"]);
    assert_exit(&output, 0);
    let report = json(&output);
    let files = report["folders"][0]["files"].as_array().unwrap();
    let parsed: Vec<u64> = files
        .iter()
        .map(|f| f["parsed_statements"].as_u64().unwrap())
        .collect();
    assert_eq!(parsed, [0, 1], "{report}");
}

/// The workflow commands a GitHub runner would execute from `output`, read line by line as
/// it reads them: nothing between `::stop-commands::TOKEN` and `::TOKEN::`; a command is a
/// line starting with `::` (leading blanks allowed) or holding the legacy `##[`.
fn executed_commands(output: &str) -> Vec<String> {
    let mut stopped_by: Option<String> = None;
    let mut executed = Vec::new();
    for line in output.lines() {
        let line = line.trim_start();
        match &stopped_by {
            Some(token) => {
                if line == format!("::{token}::") {
                    stopped_by = None;
                }
            }
            None => {
                if let Some(token) = line.strip_prefix("::stop-commands::") {
                    stopped_by = Some(token.to_string());
                } else if line.starts_with("::") || line.contains("##[") {
                    executed.push(line.to_string());
                }
            }
        }
    }
    executed
}

#[test]
fn nothing_a_migration_prints_reaches_the_runner_as_a_workflow_command() {
    let (dir, folder) = project();
    fs::write(
        folder.join("20240101000000_ok.sql"),
        "-- ::stop-commands::pwned\n-- ##[add-mask]x\ncreate table public.t (id int);\n",
    )
    .unwrap();
    // A file name with a newline: shown by the invalid-migration-name finding.
    fs::write(
        folder.join("20240101000001_x\n::add-mask::secret\n::stop-commands::pwned.sql"),
        "select 1;\n",
    )
    .unwrap();
    fs::write(
        folder.join("20240102000000_raise.sql"),
        "do $$ begin raise exception E'x\\n::error file=README.md::owned\\n::stop-commands::pwned'; end $$;\n",
    )
    .unwrap();

    for extra in [&["--format", "tty"][..], &["--format", "github"][..]] {
        let output = support::schemagate()
            .env("GITHUB_ACTIONS", "true")
            .current_dir(dir.path())
            .args(["check", ".", "-v"])
            .args(extra)
            .output()
            .unwrap();
        assert_exit(&output, 1);
        let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
        assert!(stdout.contains("owned"), "the message is shown: {stdout}");
        let executed = executed_commands(&stdout);
        // Only our own commands, whose data is escaped: annotations on the folder's files
        // and our notice.
        let ours = [
            "::error file=supabase/",
            "::warning file=supabase/",
            "::notice file=supabase/",
            "::notice title=schemagate::",
        ];
        assert!(
            executed
                .iter()
                .all(|c| ours.iter().any(|p| c.starts_with(p))),
            "{extra:?}: {executed:#?}\n{stdout}"
        );
        for injected in [
            "::add-mask::",
            "::stop-commands::pwned",
            "::error file=README.md",
        ] {
            assert!(
                !executed.iter().any(|c| c.starts_with(injected)),
                "{injected}: {stdout}"
            );
        }
        assert_eq!(executed_commands(&stderr), Vec::<String>::new(), "{stderr}");
    }
}

#[test]
fn a_statement_that_swallows_the_cancel_is_terminated_and_reported_as_a_timeout() {
    let (dir, folder) = project();
    fs::write(
        folder.join("20240101000000_stubborn.sql"),
        "do $$ begin\n  loop\n    begin perform pg_sleep(0.2);\n    exception when query_canceled then null;\n    end;\n  end loop;\nend $$;\n",
    )
    .unwrap();
    fs::write(folder.join("20240102000000_after.sql"), "select 1;\n").unwrap();

    let output = support::schemagate()
        .current_dir(dir.path())
        .args([
            "check",
            ".",
            "--format",
            "json",
            "-q",
            "--statement-timeout",
            "200ms",
        ])
        .output()
        .unwrap();
    assert_exit(&output, 1);
    let report = json(&output);
    let rules: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["source"] == "apply")
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["apply-timeout"], "{report:#}");
    let message = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "apply-timeout")
        .unwrap()["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(message.contains("terminated its session"), "{message}");
}

/// Every command that takes `--database-url`, with the arguments it needs besides the URL.
const URL_COMMANDS: &[&[&str]] = &[
    &["check", "."],
    &["inspect"],
    &["status", "."],
    &["diff", ".", "--base", "HEAD"],
    &["dump-schema", "."],
];

fn project_with_one_migration() -> tempfile::TempDir {
    let (dir, folder) = project();
    fs::write(
        folder.join("20240101000000_t.sql"),
        "create table public.t (id int primary key);\n",
    )
    .unwrap();
    support::git::git_in(dir.path(), &["init", "-q", "-b", "main"]);
    support::git::git_in(dir.path(), &["add", "."]);
    support::git::git_in(dir.path(), &["commit", "-q", "-m", "base"]);
    dir
}

#[test]
fn a_port_that_accepts_but_never_answers_is_an_environment_error_within_the_connect_timeout() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    // Accepts and keeps every connection open without a word.
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            held.push(stream);
        }
    });
    let dir = project_with_one_migration();
    let url = format!("postgres://postgres@127.0.0.1:{port}/postgres?sslmode=disable");
    for command in URL_COMMANDS {
        let output = support::schemagate()
            .current_dir(dir.path())
            .args(*command)
            .args(["--database-url", &url, "--connect-timeout", "1s"])
            .output()
            .unwrap();
        assert_exit(&output, 3);
        let stderr = text(&output.stderr);
        assert!(
            stderr.contains("no PostgreSQL answer within 1 s"),
            "{command:?}: {stderr}"
        );
    }
}

#[test]
fn a_bad_url_is_a_usage_error_and_a_refused_login_shows_the_servers_reason_in_every_command() {
    let server = support::pg::TestServer::start();
    let dir = project_with_one_migration();
    let nobody = server.url("postgres").replace("postgres@", "nobody@");
    for command in URL_COMMANDS {
        let run = |url: &str| {
            support::schemagate()
                .current_dir(dir.path())
                .args(*command)
                .args(["--database-url", url])
                .output()
                .unwrap()
        };
        let malformed = run("postgres://u@host:notaport/db");
        assert_exit(&malformed, 2);
        assert!(
            text(&malformed.stderr).contains("not a valid PostgreSQL connection string"),
            "{command:?}: {}",
            text(&malformed.stderr)
        );
        let refused = run(&nobody);
        assert_exit(&refused, 3);
        assert!(
            text(&refused.stderr).contains("role \"nobody\" does not exist"),
            "{command:?}: {}",
            text(&refused.stderr)
        );
    }
}

#[test]
fn an_unreadable_migrations_folder_is_an_error_not_a_passed_gate() {
    use std::os::unix::fs::PermissionsExt;
    let (dir, folder) = project();
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).unwrap();
    fs::write(
        folder.join("20240101000000_t.sql"),
        "create table public.t (id int);\n",
    )
    .unwrap();
    fs::set_permissions(&folder, fs::Permissions::from_mode(0o000)).unwrap();
    // Root reads anything: run as `nobody` then.
    let as_user = |args: &[&str]| {
        let binary = env!("CARGO_BIN_EXE_schemagate");
        let mut command = if unsafe { libc::geteuid() } == 0 {
            let mut command = std::process::Command::new("setpriv");
            command.args(["--reuid=65534", "--regid=65534", "--clear-groups", binary]);
            command
        } else {
            std::process::Command::new(binary)
        };
        command
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("NO_COLOR", "1")
            .current_dir(dir.path())
            .args(args)
            .output()
            .unwrap()
    };
    for args in [
        &["lint", "."][..],
        &["check", ".", "--no-apply"][..],
        &["lint", "supabase/migrations"][..],
    ] {
        let output = as_user(args);
        assert_exit(&output, 2);
        let stderr = text(&output.stderr);
        assert!(stderr.contains("cannot read"), "{args:?}: {stderr}");
    }
    fs::set_permissions(&folder, fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn a_cached_data_directory_with_a_damaged_pg_control_is_rebuilt_with_a_note() {
    let cache = tempfile::tempdir().unwrap();
    let (dir, folder) = project();
    fs::write(folder.join("20240101000000_t.sql"), "select 1;\n").unwrap();
    let check = || {
        support::schemagate()
            .env("XDG_CACHE_HOME", cache.path())
            .current_dir(dir.path())
            .args(["check", ".", "--format", "json", "-q"])
            .output()
            .unwrap()
    };
    assert_exit(&check(), 0);
    let controls: Vec<_> = walkdir(cache.path())
        .into_iter()
        .filter(|p| p.ends_with("global/pg_control"))
        .collect();
    assert_eq!(controls.len(), 1, "{controls:?}");
    fs::write(&controls[0], vec![0x5a; 8192]).unwrap();

    let output = check();
    assert_exit(&output, 0);
    let stderr = text(&output.stderr);
    assert!(stderr.contains("discarded, rebuilding it"), "{stderr}");
    let output = check();
    assert_exit(&output, 0);
    assert!(!text(&output.stderr).contains("discarded"));
}

/// Every path below `root`.
fn walkdir(root: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut paths = Vec::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path.clone());
            }
            paths.push(path);
        }
    }
    paths
}

#[test]
fn the_next_run_sweeps_the_server_and_directories_a_killed_run_left() {
    use std::os::unix::fs::PermissionsExt;
    let scratch = tempfile::tempdir().unwrap();
    // The server runs as `postgres` when the tests run as root: it must reach its directory.
    fs::set_permissions(scratch.path(), fs::Permissions::from_mode(0o755)).unwrap();
    let cache = tempfile::tempdir().unwrap();
    let (dir, folder) = project();
    fs::write(
        folder.join("20240101000000_slow.sql"),
        "select pg_sleep(600);\n",
    )
    .unwrap();
    // A staging directory of a cache write that a killed run (pid 999999999) left.
    let staging = cache
        .path()
        .join("schemagate/.pg15-plain-000000.999999999.tmp");
    fs::create_dir_all(&staging).unwrap();
    let check = || {
        support::schemagate()
            .env("TMPDIR", scratch.path())
            .env("XDG_CACHE_HOME", cache.path())
            .current_dir(dir.path())
            .args(["check", ".", "--format", "json", "-q"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap()
    };
    let mut killed = check();
    // Wait for its server to be up (its postmaster.pid), then kill it without warning.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    let server_pid = loop {
        let pid = walkdir(scratch.path())
            .into_iter()
            .find(|p| p.ends_with("data/postmaster.pid"))
            .and_then(|p| fs::read_to_string(p).ok())
            .filter(|t| t.lines().nth(7).is_some_and(|l| l.trim() == "ready"))
            .and_then(|t| t.lines().next().and_then(|l| l.trim().parse::<i32>().ok()));
        if let Some(pid) = pid {
            break pid;
        }
        assert!(std::time::Instant::now() < deadline, "no server started");
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    killed.kill().unwrap();
    killed.wait().unwrap();
    assert!(
        std::path::Path::new(&format!("/proc/{server_pid}")).exists(),
        "the orphan runs"
    );

    // The next run (here one that stops at once) sweeps.
    fs::write(folder.join("20240101000000_slow.sql"), "select 1;\n").unwrap();
    let status = check().wait().unwrap();
    assert_eq!(status.code(), Some(0));
    let alive = fs::read_to_string(format!("/proc/{server_pid}/stat"))
        .is_ok_and(|stat| !stat.contains(") Z "));
    assert!(!alive, "the orphan server still runs");
    let left: Vec<_> = fs::read_dir(scratch.path())
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    assert!(left.is_empty(), "{left:?}");
    assert!(!staging.exists());
}

#[test]
fn sigint_during_the_apply_writes_no_report() {
    let (dir, folder) = project();
    fs::write(
        folder.join("20240101000000_slow.sql"),
        "select pg_sleep(600);\n",
    )
    .unwrap();
    let report = dir.path().join("report.json");
    let mut child = support::schemagate()
        .current_dir(dir.path())
        .args(["check", ".", "--format", "json", "-v", "--output"])
        .arg(format!("json={}", report.display()))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id() as i32;
    // `-v` says when the server is ready; the migration then sleeps.
    let mut stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut seen = String::new();
    loop {
        let mut line = String::new();
        let read = std::io::BufRead::read_line(&mut stderr, &mut line).unwrap();
        assert!(read > 0, "ended before applying: {seen}");
        seen.push_str(&line);
        if line.starts_with("applying to ") {
            break;
        }
    }
    // SAFETY: a signal to our own child.
    unsafe { libc::kill(pid, libc::SIGINT) };
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut rest).unwrap();
    let mut stdout = String::new();
    std::io::Read::read_to_string(&mut child.stdout.take().unwrap(), &mut stdout).unwrap();
    assert_eq!(child.wait().unwrap().code(), Some(130));
    assert!(rest.contains("interrupted"), "{rest}");
    assert!(stdout.is_empty(), "a report was printed: {stdout}");
    assert!(!report.exists(), "a report file was written");
}

#[test]
fn scratch_databases_that_killed_runs_left_are_dropped_once_stale() {
    let server = support::pg::TestServer::start();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let stale = "schemagate_scratch_1_1000000000000000";
    let recent = format!("schemagate_scratch_1_{now}000000");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    // Creates the two (when asked), then lists schemagate's databases.
    let databases = |create: bool| {
        runtime.block_on(async {
            let client = server.connect("postgres").await;
            for name in [stale, recent.as_str()].into_iter().filter(|_| create) {
                client
                    .batch_execute(&format!("create database \"{name}\""))
                    .await
                    .unwrap();
            }
            client
                .query(
                    "select datname::text from pg_database where datname like 'schemagate%'",
                    &[],
                )
                .await
                .unwrap()
                .iter()
                .map(|row| row.get::<_, String>(0))
                .collect::<Vec<_>>()
        })
    };
    assert_eq!(databases(true).len(), 2);
    // Roles whose database is gone (a run killed between the two drops): the stale one goes.
    let orphan = "schemagate_scratch_2_1000000000000000";
    let young_orphan = format!("schemagate_scratch_2_{now}000000");
    let roles = |sql: Option<String>| {
        runtime.block_on(async {
            let client = server.connect("postgres").await;
            if let Some(sql) = sql {
                client.batch_execute(&sql).await.unwrap();
            }
            client
                .query(
                    "select rolname::text from pg_roles where rolname like 'schemagate_scratch_2_%' order by 1",
                    &[],
                )
                .await
                .unwrap()
                .iter()
                .map(|row| row.get::<_, String>(0))
                .collect::<Vec<_>>()
        })
    };
    assert_eq!(
        roles(Some(format!(
            "create role \"{orphan}\"; create role \"{young_orphan}\""
        )))
        .len(),
        2
    );
    let dir = project_with_one_migration();
    let output = support::schemagate()
        .current_dir(dir.path())
        .args(["check", ".", "--format", "json", "-q", "--fail-on", "never"])
        .args(["--database-url", &server.url("postgres")])
        .output()
        .unwrap();
    assert_exit(&output, 0);
    assert!(
        text(&output.stderr).contains(stale),
        "{}",
        text(&output.stderr)
    );
    assert_eq!(databases(false), std::slice::from_ref(&recent));
    assert_eq!(roles(None), [young_orphan]);
}
