//! The baseline: a schema dump (`supabase db dump`, `pg_dump --schema-only`,
//! `schemagate dump-schema --database-url`) applied after the prelude and before the
//! migrations, for histories whose early migrations change objects made outside them.
//!
//! A dump of a real project names what every fresh database here already has or what the
//! apply role may not change (`CREATE SCHEMA "public"`, `ALTER SCHEMA … OWNER TO`, comments
//! on Supabase's schemas, event triggers, default privileges of other roles, grants to roles
//! this server lacks). Such statements are skipped with a note when they fail; any other
//! failure stops the apply with a finding on the baseline's statement. The statements run
//! in one transaction, each under a savepoint, so a skipped one leaves nothing half done.

use super::apply::{self, Failed, Watchdog};
use super::Database;
use crate::findings::{Finding, Source};
use crate::migrations::version::compare_numeric;
use crate::migrations::{self, Layout, Migration};
use crate::rules::registry;
use crate::Failure;
use regex::Regex;
use serde::Serialize;
use std::cmp::Ordering;
use std::path::Path;
use std::sync::LazyLock;

/// A baseline as configured: the dump and the newest migration it contains.
#[derive(Debug)]
pub struct Baseline {
    /// The dump, read and split into statements as a migration file is.
    pub file: Migration,
    /// Migrations up to this version are contained in the dump: linted, not applied.
    pub version: Option<String>,
}

/// What applying the baseline did, for the apply report.
#[derive(Debug, Clone, Serialize)]
pub struct BaselineApplied {
    pub path: String,
    /// It stopped at a statement (the finding says which); no migration ran.
    pub failed: bool,
    /// Statements that ran.
    pub applied: usize,
    /// Statements that failed on what the server already has or manages:
    /// `base.sql:3: ALTER SCHEMA "public" OWNER TO "postgres" (42501 must be owner …)`.
    pub skipped: Vec<String>,
}

impl Baseline {
    /// Reads and splits the dump at `path`; a file that cannot be read as SQL is a
    /// configuration error (exit 2).
    pub fn load(path: &Path, version: Option<String>) -> Result<Baseline, Failure> {
        if !path.is_file() {
            return Err(Failure::Usage(format!(
                "the baseline {} is not a file; write one with `schemagate dump-schema --database-url URL -o {}` (or `supabase db dump`), or fix `baseline` in schemagate.toml / --baseline",
                path.display(),
                path.display()
            )));
        }
        let mut set = migrations::load(path, Some(Layout::Plain));
        let problem = set
            .findings
            .iter()
            .find(|f| f.severity == crate::findings::Severity::Error);
        if let Some(problem) = problem {
            let at = problem
                .location
                .as_ref()
                .map_or_else(String::new, |l| format!("{}:{}: ", l.file, l.line));
            return Err(Failure::Usage(format!(
                "the baseline cannot be read: {at}{}; fix the file or write it again",
                problem.message
            )));
        }
        let file = set.migrations.remove(0);
        Ok(Baseline { file, version })
    }

    /// Is `migration` contained in the baseline (its version at or before
    /// `baseline-version`)? Files without a version (repeatable ones) never are.
    pub fn contains(&self, migration: &Migration) -> bool {
        match (&self.version, &migration.version) {
            (Some(newest), Some(version)) => compare_numeric(version, newest) != Ordering::Greater,
            _ => false,
        }
    }
}

/// Statements whose failure means "already there, or not this role's to change": schema,
/// extension and ownership statements, comments, privileges, event triggers, publications,
/// session settings.
static TOLERATED_STATEMENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?is)^\s*(?:set\b|reset\b|select\s+pg_catalog\.set_config\s*\(|comment\s+on\b|security\s+label\b|grant\b|revoke\b|alter\s+default\s+privileges\b|(?:create|alter|drop)\s+(?:event\s+trigger|publication|extension|schema)\b|alter\s+\S.*\bowner\s+to\b)",
    )
    .expect("valid regex")
});

/// SQLSTATEs of "already exists": the prelude made it (Supabase's roles, schemas,
/// extensions, publications).
const ALREADY_EXISTS: [&str; 4] = ["42P06", "42P07", "42710", "42723"];

/// Transaction control in a dump written for psql: the baseline has its own transaction.
static TRANSACTION_CONTROL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\s*(?:begin|commit|end|start\s+transaction)\b\s*;?\s*$").expect("valid regex")
});

/// psql meta-commands a dump for psql carries (`\restrict KEY` from pg_dump 17.6, 16.10,
/// 15.14 and later; `\connect` from `--create`), blanked to spaces so that the server's error
/// positions still match the file.
fn without_meta_commands(text: &str) -> std::borrow::Cow<'_, str> {
    static META: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?m)^\\(?:restrict|unrestrict|connect)\b[^\n]*").expect("valid regex")
    });
    META.replace_all(text, |found: &regex::Captures| " ".repeat(found[0].len()))
}

fn tolerated(failed: &Failed, text: &str) -> bool {
    ALREADY_EXISTS.contains(&failed.code.as_str())
        // The primary key of a table the prelude has, added again.
        || (failed.code == "42P16" && failed.message.starts_with("multiple primary keys"))
        || TOLERATED_STATEMENT.is_match(text)
}

/// Applies the baseline on the apply role's session. `Err` is the finding on the statement
/// that stopped it.
pub(super) async fn apply(
    db: &Database,
    baseline: &Baseline,
    watchdog: &Watchdog,
) -> Result<BaselineApplied, Finding> {
    let file = &baseline.file;
    let mut done = BaselineApplied {
        path: file.path.clone(),
        failed: false,
        applied: 0,
        skipped: Vec::new(),
    };
    let Some(source) = &file.source else {
        return Ok(done);
    };
    let outcome = async {
        apply::run(db, "begin", watchdog)
            .await
            .map_err(|f| (None, f))?;
        for statement in file.statements.iter().filter(|s| s.applies) {
            let text = &*without_meta_commands(statement.text(source));
            if text.trim().is_empty() || TRANSACTION_CONTROL.is_match(text) {
                continue;
            }
            let alone = apply::is_non_transactional(text);
            let ran = if alone {
                run_alone(db, text, watchdog).await
            } else {
                run_guarded(db, text, watchdog).await
            };
            match ran {
                Ok(()) => done.applied += 1,
                Err(failed) if tolerated(&failed, text) => {
                    let line = file.statement_location(statement).line;
                    done.skipped.push(format!(
                        "{}:{line}: {} ({} {})",
                        file.path,
                        first_line(text),
                        failed.code,
                        failed.message
                    ));
                }
                Err(failed) => return Err((Some(statement), failed)),
            }
        }
        apply::run(db, "commit", watchdog)
            .await
            .map_err(|f| (None, f))
    }
    .await;
    // The dump empties search_path for its session; the migrations start from the defaults.
    let _ = apply::run(db, "rollback; reset all", watchdog).await;
    match outcome {
        Ok(()) => Ok(done),
        Err((statement, failed)) => Err(failure_finding(file, statement, &failed)),
    }
}

/// One statement under a savepoint, so that a failure leaves the transaction usable.
async fn run_guarded(db: &Database, text: &str, watchdog: &Watchdog) -> Result<(), Failed> {
    apply::run(db, "savepoint schemagate_baseline", watchdog).await?;
    let ran = apply::run(db, &apply::as_supabase_runs_it(text, db.supabase), watchdog).await;
    let end = if ran.is_ok() {
        "release savepoint schemagate_baseline"
    } else {
        "rollback to savepoint schemagate_baseline"
    };
    apply::run(db, end, watchdog).await?;
    ran
}

/// A statement that cannot run in a transaction block, between two of them.
async fn run_alone(db: &Database, text: &str, watchdog: &Watchdog) -> Result<(), Failed> {
    apply::run(db, "commit", watchdog).await?;
    let ran = apply::run(db, text, watchdog).await;
    apply::run(db, "begin", watchdog).await?;
    ran
}

/// The statement's first line, shortened, for a note.
fn first_line(text: &str) -> String {
    let line = text.trim().lines().next().unwrap_or_default();
    match line.char_indices().nth(80) {
        Some((end, _)) => format!("{}…", &line[..end]),
        None => line.to_string(),
    }
}

fn failure_finding(
    file: &Migration,
    statement: Option<&crate::sql::Statement>,
    failed: &Failed,
) -> Finding {
    let which = statement.map_or_else(
        || "its transaction".to_string(),
        |s| format!("statement {}", s.index + 1),
    );
    let mut message = format!(
        "the baseline `{}` failed at {which}: {} {}",
        file.path, failed.code, failed.message
    );
    if let Some(detail) = &failed.detail {
        message.push_str(&format!("\ndetail: {detail}"));
    }
    message.push_str("\nno migration was applied");
    let text = statement
        .zip(file.source.as_ref())
        .map_or(file.path.as_str(), |(s, source)| s.text(source));
    registry::finding(registry::APPLY_FAILED, message)
        .with_help("the baseline runs after the prelude as the apply role (without superuser); statements on what the server already has or manages are skipped, others must apply: fix this one, or write the baseline again with `schemagate dump-schema --database-url URL -o FILE`")
        .with_source(Source::Apply)
        .with_location(apply::error_location(file, statement, failed.position))
        .finish(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failed(code: &str, message: &str) -> Failed {
        Failed {
            code: code.to_string(),
            message: message.to_string(),
            detail: None,
            hint: None,
            context: None,
            position: None,
        }
    }

    #[test]
    fn failures_of_managed_and_existing_objects_are_tolerated() {
        let denied = failed("42501", "must be owner");
        for text in [
            "CREATE SCHEMA IF NOT EXISTS \"public\";",
            "ALTER SCHEMA \"public\" OWNER TO \"postgres\";",
            "COMMENT ON SCHEMA \"public\" IS 'standard public schema';",
            "GRANT USAGE ON SCHEMA \"public\" TO \"anon\";",
            "ALTER DEFAULT PRIVILEGES FOR ROLE \"postgres\" IN SCHEMA \"public\" GRANT ALL ON TABLES TO \"anon\";",
            "CREATE EXTENSION IF NOT EXISTS \"pgcrypto\" WITH SCHEMA \"extensions\";",
            "ALTER TABLE \"public\".\"t\" OWNER TO \"app\";",
            "SET row_security = off;",
            "CREATE EVENT TRIGGER e ON ddl_command_end EXECUTE FUNCTION f();",
        ] {
            assert!(tolerated(&denied, text), "{text}");
        }
        let exists = failed("42P07", "relation \"users\" already exists");
        assert!(tolerated(&exists, "CREATE TABLE auth.users (id uuid);"));
        let second_key = failed(
            "42P16",
            "multiple primary keys for table \"users\" are not allowed",
        );
        assert!(tolerated(
            &second_key,
            "ALTER TABLE ONLY auth.users ADD CONSTRAINT users_pkey PRIMARY KEY (id);"
        ));
        let invalid = failed("42P16", "cannot use a column list here");
        assert!(!tolerated(&invalid, "CREATE TABLE t (id int);"));
        let missing = failed("42P01", "relation \"t\" does not exist");
        assert!(!tolerated(&missing, "ALTER TABLE t ADD COLUMN c int;"));
        assert!(!tolerated(
            &failed("42601", "syntax error"),
            "CREATE TABLE t (;"
        ));
        assert!(!tolerated(&denied, "CREATE TABLE auth.x (id int);"));
    }

    #[test]
    fn psql_meta_commands_are_blanked_in_place() {
        let text = "\\restrict abc\n\nSET x = 1;";
        assert_eq!(without_meta_commands(text), "             \n\nSET x = 1;");
        assert!(without_meta_commands("\\unrestrict abc").trim().is_empty());
        assert_eq!(without_meta_commands("select '\\x'"), "select '\\x'");
    }

    #[test]
    fn contains_migrations_up_to_its_version() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("base.sql"), "create table t ();\n").unwrap();
        let baseline =
            Baseline::load(&dir.path().join("base.sql"), Some("20240102".into())).unwrap();
        let at = |version: Option<&str>| Migration {
            version: version.map(str::to_string),
            ..Baseline::load(&dir.path().join("base.sql"), None)
                .unwrap()
                .file
        };
        assert!(baseline.contains(&at(Some("20240101"))));
        assert!(baseline.contains(&at(Some("20240102"))));
        assert!(!baseline.contains(&at(Some("20240103"))));
        assert!(!baseline.contains(&at(None)));
        assert!(Baseline::load(&dir.path().join("missing.sql"), None).is_err());
        std::fs::write(dir.path().join("open.sql"), "select 'x;\n").unwrap();
        let Err(Failure::Usage(message)) = Baseline::load(&dir.path().join("open.sql"), None)
        else {
            panic!("an unterminated quote is a configuration error");
        };
        assert!(message.contains("open.sql:1: "), "{message}");
        std::fs::write(dir.path().join("empty.sql"), "").unwrap();
        assert!(Baseline::load(&dir.path().join("empty.sql"), None).is_ok());
    }
}
