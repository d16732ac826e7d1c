//! Reaching a PostgreSQL server, the same way in every command: one parser (a malformed
//! `--database-url` is a usage error, exit 2, everywhere), one deadline over the TCP
//! connect, the startup and the authentication (a port that accepts connections but never
//! answers as PostgreSQL would otherwise hang the run), and errors that carry the server's
//! own reason (a wrong password says so, not just "db error").

use crate::Failure;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio_postgres::{Client, Config, NoTls};

/// `--connect-timeout` in milliseconds (a process-wide setting, like the flag).
static CONNECT_TIMEOUT_MS: AtomicU64 = AtomicU64::new(10_000);

pub fn set_connect_timeout(timeout: Duration) {
    let millis = u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX);
    CONNECT_TIMEOUT_MS.store(millis.max(1), Ordering::Relaxed);
}

pub fn connect_timeout() -> Duration {
    Duration::from_millis(CONNECT_TIMEOUT_MS.load(Ordering::Relaxed))
}

/// Parses a connection URL (or `key=value` string).
pub fn parse(url: &str) -> Result<Config, Failure> {
    url.parse::<Config>().map_err(|e| {
        Failure::Usage(format!(
            "--database-url is not a valid PostgreSQL connection string ({}); use postgres://user:password@host:port/database",
            reason(&e)
        ))
    })
}

/// Connects with `config` within the connect timeout, driving the connection on the
/// current runtime. `what` names the server in messages.
pub async fn connect(config: &Config, what: &str) -> Result<Client, Failure> {
    let limit = connect_timeout();
    let (client, connection) = match tokio::time::timeout(limit, config.connect(NoTls)).await {
        Ok(Ok(pair)) => pair,
        Ok(Err(error)) => {
            return Err(Failure::Environment(format!(
                "cannot connect to {what}: {}; check that the server is running and the URL, user and password are right (TLS is not supported: use sslmode=disable or a local service container)",
                reason(&error)
            )))
        }
        Err(_) => {
            return Err(Failure::Environment(format!(
                "cannot connect to {what}: no PostgreSQL answer within {} (connect and startup); check the host and port are a PostgreSQL server's, or raise --connect-timeout",
                shown(limit)
            )))
        }
    };
    tokio::spawn(async move {
        let _ = connection.await;
    });
    Ok(client)
}

/// What went wrong, with the server's own words: `SQLSTATE message` for a server error,
/// else the error and its causes (`error connecting to server: Connection refused …`).
pub fn reason(error: &tokio_postgres::Error) -> String {
    if let Some(db) = error.as_db_error() {
        return format!("{} {}", db.code().code(), db.message());
    }
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

fn shown(duration: Duration) -> String {
    if duration.subsec_millis() == 0 {
        format!("{} s", duration.as_secs())
    } else {
        format!("{} ms", duration.as_millis())
    }
}
