//! `schemagate inspect --database-url URL`: the catalog rules on a live database, inside
//! a READ ONLY transaction that is rolled back, so nothing is ever written.

use crate::cli::InspectArgs;
use crate::config::{Config, Profile};
use crate::findings::Finding;
use crate::migrations::{Layout, MigrationSet};
use crate::report::Report;
use crate::Failure;
use std::path::{Path, PathBuf};
use tokio_postgres::{Client, NoTls};

pub fn run(args: InspectArgs) -> Result<bool, Failure> {
    let Some(url) = args
        .database_url
        .as_deref()
        .filter(|url| !url.trim().is_empty())
    else {
        return Err(Failure::Usage(
            "inspect needs a database: pass --database-url postgresql://user:password@host:port/dbname or set DATABASE_URL".to_string(),
        ));
    };
    let config = super::load_config(Path::new("."), &args.common)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|error| {
            Failure::Environment(format!("cannot start the async runtime: {error}"))
        })?;
    let (findings, config) = runtime.block_on(inspect(url, &config, args.common.verbose))?;
    // Configured levels and `[[ignore]]` entries, as for every other command.
    let no_migrations = MigrationSet {
        root: PathBuf::new(),
        layout: Layout::Plain,
        migrations: Vec::new(),
        ignored: Vec::new(),
        findings: Vec::new(),
    };
    let findings = crate::lint::finalize(&no_migrations, &config, findings);
    let report = Report {
        command: "inspect",
        sets: &[],
        findings,
        fail_on: args.common.fail_on,
        fail_on_existing: false,
        status: None,
        apply: Vec::new(),
        changes: None,
    };
    super::emit(&report, &args.common)
}

async fn inspect(
    url: &str,
    config: &Config,
    verbose: bool,
) -> Result<(Vec<Finding>, Config), Failure> {
    let shown = redact_url(url);
    let pg_config: tokio_postgres::Config = url.parse().map_err(|error| {
        Failure::Usage(format!(
            "--database-url {shown} is not a valid connection string: {}\n\
             use postgresql://user:password@host:port/dbname",
            describe(&error)
        ))
    })?;
    let (client, connection) = pg_config.connect(NoTls).await.map_err(|error| {
        Failure::Environment(format!(
            "cannot connect to {shown}: {}\ncheck that the server is running and the URL, user and password are right{}",
            describe(&error),
            if url.contains("sslmode=require") {
                " (schemagate connects without TLS: use sslmode=prefer or disable)"
            } else {
                ""
            }
        ))
    })?;
    let driver = tokio::spawn(connection);
    let result = inspect_read_only(&client, config, verbose).await;
    drop(client);
    // The connection ends once the client is gone; its own error adds nothing to `result`.
    let _ = driver.await;
    result.map_err(|error| {
        Failure::Environment(format!(
            "inspecting {shown} failed: {}\nthe user needs to read pg_catalog (any role can) and the tables the rules read, e.g. storage.buckets",
            describe(&error)
        ))
    })
}

/// The findings, and the configuration they were found with (the database may decide the
/// profile).
async fn inspect_read_only(
    client: &Client,
    config: &Config,
    verbose: bool,
) -> Result<(Vec<Finding>, Config), tokio_postgres::Error> {
    client.batch_execute("begin read only").await?;
    if verbose {
        let row = client
            .query_one(
                "select current_database()::text, current_setting('server_version')",
                &[],
            )
            .await?;
        let (database, version): (String, String) = (row.try_get(0)?, row.try_get(1)?);
        eprintln!("inspecting database {database} on PostgreSQL {version}");
    }
    let mut config = config.clone();
    if config.profile_detected() && config.profile == Profile::Postgres {
        let supabase: bool = client
            .query_one(
                "select exists (select from pg_roles where rolname = 'anon') \
                    and exists (select from pg_namespace where nspname = 'auth')",
                &[],
            )
            .await?
            .try_get(0)?;
        if supabase {
            config.set_profile(
                Profile::Supabase,
                "detected: the database has Supabase's auth schema and anon role".to_string(),
            );
        }
    }
    if verbose {
        eprintln!(
            "profile: {} ({})",
            config.profile.as_str(),
            config.profile_reason
        );
    }
    let findings = crate::inspect::run(client, &config).await;
    // Rolled back: a read-only transaction has nothing to commit.
    client.batch_execute("rollback").await?;
    Ok((findings?, config))
}

/// The error and its causes on one line: tokio-postgres keeps the server's message in the
/// source chain.
fn describe(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// The URL with any password replaced by `***`, safe to print.
///
/// Handles `scheme://user:password@host…` (everything from the first `:` of the user
/// part to the last `@` is hidden, so a password containing `@` or `/` stays hidden too),
/// `?password=…` parameters and the `password=…` keyword form.
pub fn redact_url(url: &str) -> String {
    let mut text = url.to_string();
    if let Some(scheme_end) = text.find("://") {
        let rest_start = scheme_end + 3;
        if let Some(at) = text[rest_start..].rfind('@').map(|at| rest_start + at) {
            if let Some(colon) = text[rest_start..at].find(':').map(|c| rest_start + c) {
                text.replace_range(colon + 1..at, "***");
            }
        }
    }
    let parameter =
        regex::Regex::new(r"(?i)((?:^|[?&\s])password\s*=\s*)('(?:[^'\\]|\\.)*'|[^&\s]*)")
            .expect("a valid regex");
    parameter.replace_all(&text, "${1}***").into_owned()
}

#[cfg(test)]
mod tests {
    use super::redact_url;

    #[test]
    fn passwords_never_show() {
        let cases = [
            (
                "postgresql://app:s3cret@db.example.com:5432/postgres",
                "postgresql://app:***@db.example.com:5432/postgres",
            ),
            (
                "postgres://app:p@ss/w0rd@host/db",
                "postgres://app:***@host/db",
            ),
            (
                "postgresql://app@host/db?password=s3cret&sslmode=prefer",
                "postgresql://app@host/db?password=***&sslmode=prefer",
            ),
            (
                "host=/tmp user=app password='s3 cret' dbname=x",
                "host=/tmp user=app password=*** dbname=x",
            ),
            ("host=/tmp password=s3cret", "host=/tmp password=***"),
            (
                "postgresql://app@/db?host=/tmp/s",
                "postgresql://app@/db?host=/tmp/s",
            ),
        ];
        for (url, shown) in cases {
            let redacted = redact_url(url);
            assert_eq!(redacted, shown);
            assert!(!redacted.contains("s3"), "{redacted}");
        }
    }
}
