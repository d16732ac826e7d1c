//! Shared helpers of the integration tests. Each test crate uses some of them.
#![allow(dead_code)]

pub mod git;
pub mod pg;

use std::path::PathBuf;
use std::process::Command;

/// The `schemagate` binary with a clean environment: only `PATH` and `HOME` of the caller,
/// so a test run inside GitHub Actions (or with `DATABASE_URL`, `PG_BIN`, `SCHEMAGATE_*`,
/// `GIT_DIR` set) behaves as anywhere else; on the newest server of
/// `SCHEMAGATE_TEST_PG_BINS` when that is set. Ephemeral clusters share a prepared data
/// directory cached under target/, and colour is off.
pub fn schemagate() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_schemagate"));
    command.env_clear();
    for name in ["PATH", "HOME", "TMPDIR"] {
        if let Some(value) = std::env::var_os(name) {
            command.env(name, value);
        }
    }
    command
        .env("XDG_CACHE_HOME", cache_dir())
        .env("NO_COLOR", "1");
    if let Some(newest) = pg::chosen_majors().and_then(|majors| majors.last()) {
        command.env("PG_BIN", &newest.dir);
    }
    command
}

/// [`schemagate`] on the server binaries of `bin` (one of [`pg::pg_majors`]).
pub fn schemagate_on(bin: &schemagate::postgres::binaries::PgBin) -> Command {
    let mut command = schemagate();
    command.env("PG_BIN", &bin.dir);
    command
}

/// A Supabase project in a temporary directory with the given migration files.
pub fn supabase_project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let migrations = dir.path().join("supabase/migrations");
    std::fs::create_dir_all(&migrations).unwrap();
    for (name, text) in files {
        std::fs::write(migrations.join(name), text).unwrap();
    }
    dir
}

/// The status of each file of a JSON report's first apply (`applied`, `failed`, …).
pub fn apply_statuses(document: &serde_json::Value) -> Vec<String> {
    document["apply"][0]["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["status"].as_str().unwrap().to_string())
        .collect()
}

/// Where the tests' clusters keep the prepared data directory.
pub fn cache_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("schemagate-cache")
}

/// Asserts the process exited with `code`, showing its output when it did not.
pub fn assert_exit(output: &std::process::Output, code: i32) {
    assert_eq!(
        output.status.code(),
        Some(code),
        "stdout:\n{}\nstderr:\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Runs the binary (clean environment) with `args` in `dir`.
pub fn run_in(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    schemagate()
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the binary runs")
}

/// Output bytes as text.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `output` without the lines that open and close the runner's stop-commands window
/// (`::stop-commands::TOKEN`, `::TOKEN::`).
pub fn without_stop_commands(output: &str) -> String {
    output
        .lines()
        .filter(|line| {
            let token = line.strip_prefix("::stop-commands::").or_else(|| {
                line.strip_prefix("::")
                    .and_then(|rest| rest.strip_suffix("::"))
            });
            !token.is_some_and(|t| t.len() == 32 && t.bytes().all(|b| b.is_ascii_hexdigit()))
        })
        .map(|line| format!("{line}\n"))
        .collect()
}

/// The lines of a Markdown comment a reviewer sees without a click: a `<details>` block
/// counts as its summary line.
pub fn visible_lines(markdown: &str) -> Vec<&str> {
    let mut visible = Vec::new();
    let mut depth = 0usize;
    for line in markdown.lines() {
        if depth == 0 {
            visible.push(line);
        }
        depth += line.matches("<details>").count();
        depth = depth.saturating_sub(line.matches("</details>").count());
    }
    visible
}
