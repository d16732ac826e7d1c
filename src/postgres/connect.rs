//! Reaching a user's server, the same way in every command: one parser for URLs and
//! key/value strings (a malformed one is a usage error, exit 2), TLS with libpq's `sslmode`
//! (see `tls.rs`), `application_name=schemagate`, one deadline over connect, TLS, startup and
//! authentication, and errors that carry the server's own reason, never the password.

use super::conninfo;
use super::tls::{self, Tls};
use crate::Failure;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio_postgres::{Client, Config};

/// `--connect-timeout` in milliseconds over connect, TLS handshake, startup and
/// authentication together (a process-wide setting, like the flag).
static CONNECT_TIMEOUT_MS: AtomicU64 = AtomicU64::new(10_000);

pub fn set_connect_timeout(timeout: Duration) {
    let millis = u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX);
    CONNECT_TIMEOUT_MS.store(millis.max(1), Ordering::Relaxed);
}

pub fn connect_timeout() -> Duration {
    Duration::from_millis(CONNECT_TIMEOUT_MS.load(Ordering::Relaxed))
}

/// The port of Supabase's transaction-mode pooler.
const TRANSACTION_POOLER_PORT: u16 = 6543;

/// Where to connect: the driver's settings and what it cannot hold.
#[derive(Debug, Clone)]
pub struct Target {
    pub config: Config,
    pub tls: Tls,
    /// A transaction-mode pooler (`pgbouncer=true`, or port 6543): consecutive transactions
    /// may run on different server sessions, so nothing may outlive a transaction.
    pub transaction_pooler: bool,
}

impl Target {
    /// An ephemeral cluster over its unix socket: no TLS.
    pub fn local(config: Config) -> Target {
        Target {
            config,
            tls: Tls::local(),
            transaction_pooler: false,
        }
    }

    /// Refuses a transaction-mode pooler for `purpose`, which needs one session throughout.
    pub fn require_session(&self, shown: &str, purpose: &str) -> Result<(), Failure> {
        if !self.transaction_pooler {
            return Ok(());
        }
        Err(Failure::Usage(format!(
            "{shown} is a transaction-mode pooler (pgbouncer=true or port {TRANSACTION_POOLER_PORT}), but {purpose} needs one session throughout; use a session-mode URL instead: on Supabase the session pooler (the same pooler host on port 5432) or the direct connection (db.<project-ref>.supabase.co:5432); see docs/connecting.md"
        )))
    }
}

/// Parses a connection URL (or `key=value` string) as libpq would.
pub fn parse(url: &str) -> Result<Target, Failure> {
    let invalid = |why: String| {
        Failure::Usage(format!(
            "--database-url is not a valid PostgreSQL connection string ({why}); use postgres://user:password@host:port/database"
        ))
    };
    let keys: Vec<&str> = tls::KEYS
        .iter()
        .copied()
        .chain(["pgbouncer", "service"])
        .collect();
    let (rest, mut found) = conninfo::take(url, &keys);
    let environment = environment_defaults();
    let service_name = match found.iter().position(|(key, _)| key == "service") {
        Some(at) => Some(found.remove(at).1),
        None => environment
            .iter()
            .find(|(key, _)| key == "service")
            .map(|(_, name)| name.clone()),
    };
    let service = match service_name {
        Some(name) => super::service::settings(&name).map_err(invalid)?,
        None => Vec::new(),
    };
    // The service's settings fill in what the string itself does not say.
    for (key, value) in &service {
        if keys.contains(&key.as_str()) && !found.iter().any(|(k, _)| k == key) {
            found.push((key.clone(), value.clone()));
        }
    }
    let tls = Tls::from_settings(&found).map_err(invalid)?;
    let mut config = rest.parse::<Config>().map_err(|e| invalid(reason(&e)))?;
    // libpq's order: the string, then the service, then the environment.
    with_defaults(&mut config, &service).map_err(invalid)?;
    with_defaults(&mut config, &environment).map_err(invalid)?;
    let pgbouncer = found
        .iter()
        .any(|(key, value)| key == "pgbouncer" && value == "true");
    let transaction_pooler = pgbouncer || config.get_ports().contains(&TRANSACTION_POOLER_PORT);
    config.ssl_mode(tls.mode.for_driver());
    if config.get_password().is_none() {
        if let Some(password) = super::password::default_for(&config) {
            config.password(password);
        }
    }
    if config.get_application_name().is_none() {
        config.application_name("schemagate");
    }
    Ok(Target {
        config,
        tls,
        transaction_pooler,
    })
}

/// libpq's environment variables for what a connection string leaves out (`PGPASSWORD` and
/// the TLS ones are read where those settings are).
fn environment_defaults() -> Vec<(String, String)> {
    [
        ("PGHOST", "host"),
        ("PGPORT", "port"),
        ("PGUSER", "user"),
        ("PGDATABASE", "dbname"),
        ("PGAPPNAME", "application_name"),
        ("PGOPTIONS", "options"),
        ("PGSERVICE", "service"),
    ]
    .into_iter()
    .filter_map(|(variable, key)| {
        let value = std::env::var(variable).ok().filter(|v| !v.is_empty())?;
        Some((key.to_string(), value))
    })
    .collect()
}

/// Sets what `defaults` (a service's settings, or the environment's) say and `config` does
/// not: host, port, user, password, database, application name, options.
fn with_defaults(config: &mut Config, defaults: &[(String, String)]) -> Result<(), String> {
    let get = |key: &str| {
        defaults
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    };
    if config.get_hosts().is_empty() {
        if let Some(hosts) = get("host") {
            for host in hosts.split(',') {
                config.host(host.trim());
            }
        }
    }
    if config.get_ports().is_empty() {
        if let Some(ports) = get("port") {
            for port in ports.split(',') {
                let port = port
                    .trim()
                    .parse::<u16>()
                    .map_err(|_| format!("port `{port}` is not a number"))?;
                config.port(port);
            }
        }
    }
    if let (None, Some(user)) = (config.get_user(), get("user")) {
        config.user(user);
    }
    if let (None, Some(password)) = (config.get_password(), get("password")) {
        config.password(password);
    }
    if let (None, Some(dbname)) = (config.get_dbname(), get("dbname")) {
        config.dbname(dbname);
    }
    if let (None, Some(name)) = (config.get_application_name(), get("application_name")) {
        config.application_name(name);
    }
    if let (None, Some(options)) = (config.get_options(), get("options")) {
        config.options(options);
    }
    Ok(())
}

/// Connects to `target` within [`connect_timeout`], driving the connection on the current
/// runtime. `what` names the server in messages (a redacted URL or a description).
pub async fn connect(target: &Target, what: &str) -> Result<Client, Failure> {
    let result = match attempt(&target.config, &target.tls, what).await? {
        // `allow`: a server that refused the plain connection may take an encrypted one.
        Err(error) if error.as_db_error().is_some() => match target.tls.fallback() {
            Some(tls) => {
                let mut config = target.config.clone();
                config.ssl_mode(tls.mode.for_driver());
                attempt(&config, &tls, what).await?
            }
            None => Err(error),
        },
        result => result,
    };
    result.map_err(|error| {
        let hint = if is_tls_error(&error) {
            "check sslmode and sslrootcert (the server's certificate must come from that certificate authority, and with verify-full name the host connected to)"
        } else {
            "check that the server is running and the URL, user and password are right"
        };
        Failure::Environment(format!(
            "cannot connect to {what}: {}; {hint}",
            reason(&error)
        ))
    })
}

/// One connection attempt; the outer error is the deadline or the TLS set-up.
async fn attempt(
    config: &Config,
    tls: &Tls,
    what: &str,
) -> Result<Result<Client, tokio_postgres::Error>, Failure> {
    let connector = tls.connector()?;
    let limit = connect_timeout();
    match tokio::time::timeout(limit, config.connect(connector)).await {
        Ok(Ok((client, connection))) => {
            tokio::spawn(async move {
                let _ = connection.await;
            });
            Ok(Ok(client))
        }
        Ok(Err(error)) => Ok(Err(error)),
        Err(_) => Err(Failure::Environment(format!(
            "cannot connect to {what}: no PostgreSQL answer within {} (connect, TLS and startup); check the host and port are a PostgreSQL server's, or raise --connect-timeout",
            shown(limit)
        ))),
    }
}

fn is_tls_error(error: &tokio_postgres::Error) -> bool {
    let text = reason(error);
    text.contains("TLS") || text.contains("certificate")
}

/// Cancels the statement `client` is running (the cancel request goes over the same TLS).
pub async fn cancel(client: &Client, target: &Target) -> Result<(), Failure> {
    let connector = target.tls.connector()?;
    client
        .cancel_token()
        .cancel_query(connector)
        .await
        .map_err(|e| Failure::Environment(reason(&e)))
}

/// What went wrong, with the server's own words: `SQLSTATE message` for a server error,
/// else the error and its causes (`error performing TLS handshake: invalid peer certificate …`).
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
