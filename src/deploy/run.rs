//! Applies pending migrations to a database one by one, each in its own transaction with
//! its history row: `lock_timeout` so a migration never queues production's queries behind
//! it for long, and retries with backoff when the lock could not be taken.

use super::history;
use crate::migrations::Migration;
use crate::postgres::apply::is_non_transactional;
use crate::postgres::describe_error;
use crate::remote::HistoryFormat;
use serde::Serialize;
use std::time::{Duration, Instant};
use tokio_postgres::Client;

/// How migrations are run.
#[derive(Debug, Clone)]
pub struct Settings {
    pub lock_timeout: Duration,
    pub statement_timeout: Duration,
    /// Attempts after the first when a lock is not available.
    pub lock_retries: u32,
    /// Wait before the first retry; doubled for each next one.
    pub backoff: Duration,
    pub progress: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Applied,
    Failed,
    NotReached,
}

/// What happened to one migration.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub path: String,
    pub version: String,
    pub status: Status,
    pub duration_ms: u64,
    /// Attempts that gave up waiting for a lock (each rolled back).
    pub lock_retries: u32,
    /// Time spent in those attempts and the backoff between them.
    pub lock_wait_ms: u64,
    /// The server's error, for a failed migration.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Statements that ran outside the transaction (`CREATE INDEX CONCURRENTLY`): they stay
    /// even when the migration fails later.
    pub outside_transaction: usize,
}

/// SQLSTATE 55P03: `lock_timeout` expired.
const LOCK_NOT_AVAILABLE: &str = "55P03";

/// Applies `pending` in order on `client`; stops at the first failure (later ones are not
/// reached).
pub async fn apply(
    client: &Client,
    pending: &[&Migration],
    settings: &Settings,
    format: HistoryFormat,
) -> Vec<Outcome> {
    let mut outcomes = Vec::new();
    let total = pending.len();
    let mut failed = false;
    for (index, migration) in pending.iter().enumerate() {
        let version = migration.version.clone().unwrap_or_default();
        if failed {
            outcomes.push(Outcome {
                path: migration.path.clone(),
                version,
                status: Status::NotReached,
                duration_ms: 0,
                lock_retries: 0,
                lock_wait_ms: 0,
                error: None,
                outside_transaction: 0,
            });
            continue;
        }
        if settings.progress {
            eprintln!("deploying {}/{total} {}", index + 1, migration.path);
        }
        let started = Instant::now();
        let mut retries = 0;
        let mut waited = Duration::ZERO;
        let result = loop {
            let attempt = Instant::now();
            match apply_one(client, migration, settings, format).await {
                Err(Failure { code, .. })
                    if code.as_deref() == Some(LOCK_NOT_AVAILABLE)
                        && retries < settings.lock_retries =>
                {
                    let pause = settings.backoff * 2u32.pow(retries);
                    retries += 1;
                    if settings.progress {
                        eprintln!(
                            "  a lock was not available within {} ms; retry {retries} of {} in {} ms",
                            settings.lock_timeout.as_millis(),
                            settings.lock_retries,
                            pause.as_millis()
                        );
                    }
                    tokio::time::sleep(pause).await;
                    waited += attempt.elapsed();
                }
                other => break other,
            }
        };
        let (status, error, outside) = match result {
            Ok(outside) => (Status::Applied, None, outside),
            Err(failure) => {
                failed = true;
                (Status::Failed, Some(failure.message), failure.outside)
            }
        };
        outcomes.push(Outcome {
            path: migration.path.clone(),
            version,
            status,
            duration_ms: started.elapsed().as_millis() as u64,
            lock_retries: retries,
            lock_wait_ms: waited.as_millis() as u64,
            error,
            outside_transaction: outside,
        });
    }
    outcomes
}

struct Failure {
    code: Option<String>,
    message: String,
    outside: usize,
}

/// One attempt: the migration and its history row in one transaction (rolled back on any
/// error); statements PostgreSQL refuses in a transaction run between two. Returns how many
/// ran outside.
async fn apply_one(
    client: &Client,
    migration: &Migration,
    settings: &Settings,
    format: HistoryFormat,
) -> Result<usize, Failure> {
    let Some(source) = &migration.source else {
        return Err(Failure {
            code: None,
            message: "the file could not be read as text".to_string(),
            outside: 0,
        });
    };
    let started = Instant::now();
    let mut outside = 0;
    let fail = |error: tokio_postgres::Error, what: &str, outside: usize| Failure {
        code: error.as_db_error().map(|db| db.code().code().to_string()),
        message: format!("{what}: {}", describe_error(&error)),
        outside,
    };
    let begin = format!(
        "begin; set local lock_timeout = {}; set local statement_timeout = {}",
        settings.lock_timeout.as_millis(),
        settings.statement_timeout.as_millis()
    );
    client
        .batch_execute(&begin)
        .await
        .map_err(|e| fail(e, "cannot start the transaction", 0))?;
    let statements: Vec<&crate::sql::Statement> =
        migration.statements.iter().filter(|s| s.applies).collect();
    let mut texts = Vec::new();
    for statement in &statements {
        let text = statement.text(source);
        texts.push(text.to_string());
        let line = migration.statement_location(statement).line;
        let result = if migration.no_transaction || is_non_transactional(text) {
            outside += 1;
            run_outside(client, text, settings).await
        } else {
            client.batch_execute(text).await
        };
        if let Err(error) = result {
            let _ = client.batch_execute("rollback").await;
            return Err(fail(error, &format!("line {line}"), outside));
        }
    }
    let recorded = async {
        history::ensure_table(client, format).await?;
        let elapsed = i32::try_from(started.elapsed().as_millis()).unwrap_or(i32::MAX);
        history::record(client, format, migration, &texts, elapsed).await?;
        client.batch_execute("commit").await
    }
    .await;
    if let Err(error) = recorded {
        let _ = client.batch_execute("rollback").await;
        return Err(fail(error, "writing the history row", outside));
    }
    Ok(outside)
}

/// Commits what ran so far, runs `text` on its own (with the same timeouts) and opens the
/// next transaction.
async fn run_outside(
    client: &Client,
    text: &str,
    settings: &Settings,
) -> Result<(), tokio_postgres::Error> {
    client.batch_execute("commit").await?;
    client
        .batch_execute(&format!(
            "set lock_timeout = {}; set statement_timeout = {}",
            settings.lock_timeout.as_millis(),
            settings.statement_timeout.as_millis()
        ))
        .await?;
    let result = client.batch_execute(text).await;
    client
        .batch_execute("reset lock_timeout; reset statement_timeout")
        .await?;
    result?;
    client
        .batch_execute(&format!(
            "begin; set local lock_timeout = {}; set local statement_timeout = {}",
            settings.lock_timeout.as_millis(),
            settings.statement_timeout.as_millis()
        ))
        .await
}
