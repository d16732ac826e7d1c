//! Keeps the Actions runner from executing anything schemagate prints that is not one of
//! its own workflow commands: a migration's text, a server message or a file name with a
//! newline could otherwise put `::add-mask::`, `::stop-commands::` or a fake `::error` on a
//! line of its own.
//!
//! Why stop-commands rather than escaping each line: escaping has to catch every line on
//! both streams, including what child processes (git, initdb, pg_dump) write to ours, and
//! the runner's legacy `##[command]` syntax, which it finds anywhere in a line. Between
//! `::stop-commands::TOKEN` and `::TOKEN::` the runner executes nothing, whatever the stream
//! or the writer, and nothing a migration writes can end that window because the token is
//! random. Our own commands are printed in a window we open and close around them.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;

/// The token of the window in force, once [`stop`] was called.
static TOKEN: OnceLock<String> = OnceLock::new();
/// Whether the window's lines go to stdout too (see [`stop`]).
static ON_STDOUT: AtomicBool = AtomicBool::new(false);

/// Is stdout read by a GitHub Actions runner?
pub fn runner_reads_output(action: bool, format_github: bool) -> bool {
    action || format_github || std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true")
}

/// Stops command processing until [`resume`]. The runner processes both streams as one, so
/// the line on stderr stops it for stdout too; it also goes to stdout when stdout is text for
/// people (`on_stdout`: tty or workflow commands), so a stdout line the runner happens to
/// read first is covered (the second `stop` line is itself inert). A document on stdout
/// (JSON, SARIF, a schema dump) is left as it is, for the program or file it goes to.
pub fn stop(on_stdout: bool) {
    let token = TOKEN.get_or_init(random_token);
    ON_STDOUT.store(on_stdout, Ordering::SeqCst);
    write_lines(&format!("::stop-commands::{token}"));
}

/// Resumes command processing for the rest of the job (before exiting).
pub fn resume() {
    if let Some(token) = TOKEN.get() {
        write_lines(&format!("::{token}::"));
    }
}

/// Runs `print`, which writes our own workflow commands to stdout, with command processing
/// on, then stops it again. Without a window in force, just runs it.
pub fn with_commands<T>(print: impl FnOnce() -> T) -> T {
    let Some(token) = TOKEN.get() else {
        return print();
    };
    let mut stdout = std::io::stdout();
    let _ = writeln!(stdout, "::{token}::");
    let result = print();
    let _ = writeln!(stdout, "::stop-commands::{token}");
    let _ = stdout.flush();
    result
}

fn write_lines(line: &str) {
    if ON_STDOUT.load(Ordering::SeqCst) {
        let mut stdout = std::io::stdout();
        let _ = writeln!(stdout, "{line}");
        let _ = stdout.flush();
    }
    let _ = writeln!(std::io::stderr(), "{line}");
}

/// 128 random bits from the standard library's OS-seeded hasher keys, in hex.
fn random_token() -> String {
    use std::hash::{BuildHasher, Hasher};
    let half = || {
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write_u64(u64::from(std::process::id()));
        hasher.finish()
    };
    format!("{:016x}{:016x}", half(), half())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_differ_and_are_long() {
        let (a, b) = (random_token(), random_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 32);
    }
}
