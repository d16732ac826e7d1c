//! `schemagate inspect --database-url URL`: the catalog rules on a live database, inside
//! a READ ONLY transaction that is rolled back, so nothing is ever written.

use crate::cli::InspectArgs;
use crate::config::{Config, Profile};
use crate::findings::Finding;
use crate::migrations::{Layout, MigrationSet};
use crate::report::Report;
use crate::Failure;
use std::path::{Path, PathBuf};
use tokio_postgres::Client;

pub fn run(args: InspectArgs) -> Result<bool, Failure> {
    let url = super::required_url(args.database_url.as_deref(), "inspect needs a database")?;
    let config = super::load_config(Path::new("."), &args.common)?;
    let runtime = super::runtime()?;
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
    let shown = super::redact::redact_url(url);
    let pg_config = crate::postgres::connect::parse(url)?;
    let client = crate::postgres::connect::connect(&pg_config, &shown).await?;
    let result = inspect_read_only(&client, config, verbose).await;
    drop(client);
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
