//! `schemagate deploy`: the job after the merge, in one command.
//!
//! 1. **Pre-flight**: the folder against the database's history (`status`); a migration
//!    applied remotely but missing locally, edited after it was applied, recorded as failed,
//!    or pending out of order stops the deploy. The pending migrations are linted, and
//!    rehearsed: production's schema (`pg_dump --schema-only`) is restored into an ephemeral
//!    cluster of the same major and the pending migrations applied there the way they will
//!    be applied to production, so a failure is found before production is touched.
//! 2. **Backup** (`schemagate backup`, verified), unless `--no-backup`.
//! 3. **Apply**: each pending migration in its own transaction with its history row, under
//!    `lock_timeout`, retried with backoff when a lock is not available.
//! 4. **Validate**: production's catalog must equal the rehearsal's; the catalog rules run
//!    on it as `inspect` would.

pub mod history;
pub mod run;

use crate::backup::{self, Scope};
use crate::config::Config;
use crate::diff::{diff, Change, Snapshot};
use crate::findings::{Finding, Severity};
use crate::migrations::{Migration, MigrationSet};
use crate::postgres::{binaries, connect};
use crate::remote::{self, HistoryFormat, State, StatusRow};
use crate::Failure;
use serde::Serialize;
use std::path::PathBuf;
use tokio_postgres::Client;

/// What the user asked for.
pub struct Request<'a> {
    pub url: &'a str,
    pub set: &'a MigrationSet,
    pub config: &'a Config,
    pub settings: run::Settings,
    pub allow_out_of_order: bool,
    pub allow_lint_errors: bool,
    pub dry_run: bool,
    pub backup: Option<PathBuf>,
    pub no_backup: bool,
    pub pg_bin: Option<PathBuf>,
    pub progress: bool,
}

/// Where the deploy stopped, if it did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Stage {
    Preflight,
    Rehearsal,
    Backup,
    Apply,
    Validation,
}

/// Everything the deploy did and found, for every output.
#[derive(Debug, Serialize)]
pub struct Deploy {
    pub server: String,
    pub history: HistoryFormat,
    pub status: Vec<StatusRow>,
    /// Lint errors of the pending migrations (pre-flight).
    pub lint: Vec<Finding>,
    /// The catalog rules on the deployed database (validation).
    pub catalog: Vec<Finding>,
    pub rehearsal: Vec<run::Outcome>,
    /// The verified backup's path.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backup: Option<String>,
    pub applied: Vec<run::Outcome>,
    /// Production's catalog against the rehearsal's, after the apply.
    pub differences: Vec<Change>,
    /// The stage that stopped the deploy; `None` when it went through.
    pub stopped: Option<Stage>,
    /// Why it stopped, in one sentence.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub dry_run: bool,
}

impl Deploy {
    pub fn succeeded(&self) -> bool {
        self.stopped.is_none()
    }

    fn stop(mut self, stage: Stage, reason: String) -> Deploy {
        self.stopped = Some(stage);
        self.reason = Some(reason);
        self
    }
}

pub async fn deploy(request: &Request<'_>) -> Result<Deploy, Failure> {
    let shown = crate::commands::redact::redact_url(request.url);
    let target = connect::parse(request.url)?;
    target.require_session(&shown, "a deploy (each migration's transaction)")?;
    let client = connect::connect(&target, &shown).await?;

    // Pre-flight: history and facts, read-only.
    backup::begin_snapshot(&client, &shown).await?;
    let remote_history = remote::read_history(&client, request.set.layout)
        .await
        .map_err(|e| reading(&shown, &e))?;
    let scope = Scope {
        schema_only: true,
        exclude_schemas: Vec::new(),
        include_managed: false,
    };
    let source = backup::read_source(&client, &scope, &shown).await?;
    let _ = client.batch_execute("rollback").await;
    let format = remote_history
        .as_ref()
        .map(|h| h.format)
        .or_else(|| HistoryFormat::of_layout(request.set.layout))
        .ok_or_else(|| {
            Failure::Usage(format!(
                "deploy needs to know which history table to write: the database has none and the {} layout has no tool of its own; pass --layout",
                request.set.layout.as_str()
            ))
        })?;
    history::check_supported(format)?;
    let empty = remote::History {
        format,
        entries: Vec::new(),
        up_to: None,
    };
    let status = remote::compare(request.set, remote_history.as_ref().unwrap_or(&empty));
    let mut deploy = Deploy {
        server: source.server.clone(),
        history: format,
        status: status.clone(),
        lint: Vec::new(),
        catalog: Vec::new(),
        rehearsal: Vec::new(),
        backup: None,
        applied: Vec::new(),
        differences: Vec::new(),
        stopped: None,
        reason: None,
        dry_run: request.dry_run,
    };
    if let Some(reason) = history_problem(&status, request.allow_out_of_order) {
        return Ok(deploy.stop(Stage::Preflight, reason));
    }
    let pending = pending_migrations(request.set, &status, request.allow_out_of_order);
    if pending.is_empty() {
        return Ok(deploy);
    }
    let lint_errors: Vec<Finding> = crate::lint::lint(request.set, request.config)
        .into_iter()
        .filter(|f| f.severity == Severity::Error && f.suppressed_by.is_none())
        .filter(|f| {
            f.location
                .as_ref()
                .is_some_and(|l| pending.iter().any(|m| m.path == l.file))
        })
        .collect();
    deploy.lint = lint_errors;
    if !deploy.lint.is_empty() && !request.allow_lint_errors {
        let count = deploy.lint.len();
        return Ok(deploy.stop(
            Stage::Preflight,
            format!("the pending migrations have {count} lint error(s); fix them, suppress them with a reason, or pass --allow-lint-errors"),
        ));
    }

    // Rehearsal on a copy of production's schema.
    let tools = binaries::pg_dump_for(source.major, request.pg_bin.as_deref())?;
    let work = tempfile::Builder::new()
        .prefix("schemagate-deploy-")
        .tempdir()
        .map_err(|e| Failure::Environment(format!("cannot create a temporary directory: {e}")))?;
    let schema_archive = work.path().join("production-schema.dump");
    backup::pg_dump_schema(&tools.dir, &target, &source.excluded, &schema_archive)?;
    let (rehearsal_db, restore_errors) = backup::restore_fresh(
        &schema_archive,
        &source,
        &tools.dir,
        request.pg_bin.clone(),
        false,
    )
    .await?;
    if let Some(first) = restore_errors.first() {
        return Ok(deploy.stop(
            Stage::Rehearsal,
            format!("production's schema does not restore into a fresh PostgreSQL {}, so the deploy cannot be rehearsed: {first}", source.major),
        ));
    }
    let quiet = run::Settings {
        progress: false,
        ..request.settings.clone()
    };
    deploy.rehearsal = run::apply(&rehearsal_db.admin, &pending, &quiet, format).await;
    if let Some(failed) = deploy
        .rehearsal
        .iter()
        .find(|o| o.status == run::Status::Failed)
    {
        let reason = format!(
            "{} fails on a copy of production's schema ({}); production was not touched",
            failed.path,
            failed.error.as_deref().unwrap_or("")
        );
        return Ok(deploy.stop(Stage::Rehearsal, reason));
    }
    let rehearsed = snapshot(&rehearsal_db.admin, "the rehearsal").await?;
    drop(rehearsal_db);
    if request.dry_run {
        return Ok(deploy);
    }

    // Backup.
    if !request.no_backup {
        let backup_request = backup::Request {
            url: request.url,
            out: request.backup.clone(),
            schema_only: false,
            exclude_schemas: Vec::new(),
            include_managed: false,
            pg_bin: request.pg_bin.clone(),
            verify_only: None,
            progress: request.progress,
        };
        let made = backup::run(&backup_request).await?;
        deploy.backup = Some(made.path.display().to_string());
        if !made.verification.passed() {
            return Ok(deploy.stop(
                Stage::Backup,
                format!(
                    "the backup {} does not restore to the same database; nothing was deployed",
                    made.path.display()
                ),
            ));
        }
    }

    // Apply.
    deploy.applied = run::apply(&client, &pending, &request.settings, format).await;
    if let Some(failed) = deploy
        .applied
        .iter()
        .find(|o| o.status == run::Status::Failed)
    {
        let applied = deploy
            .applied
            .iter()
            .filter(|o| o.status == run::Status::Applied)
            .count();
        let reason = format!(
            "{} failed ({}) and was rolled back; {applied} of {} pending migrations were applied before it{}",
            failed.path,
            failed.error.as_deref().unwrap_or(""),
            pending.len(),
            deploy
                .backup
                .as_deref()
                .map(|b| format!("; the backup is {b}"))
                .unwrap_or_default()
        );
        return Ok(deploy.stop(Stage::Apply, reason));
    }

    // Validate.
    let production = snapshot(&client, "the deployed database").await?;
    deploy.differences = diff(
        &backup::comparable(rehearsed, &source),
        &backup::comparable(production, &source),
    )
    .into_iter()
    .filter(|change| !is_history(change))
    .collect();
    deploy.catalog = crate::inspect::run(&client, request.config)
        .await
        .map_err(|e| reading(&shown, &e))?;
    if !deploy.differences.is_empty() {
        let count = deploy.differences.len();
        return Ok(deploy.stop(
            Stage::Validation,
            format!("the deployed schema differs from the rehearsal in {count} object(s): someone changed production during the deploy, or a migration depends on data"),
        ));
    }
    Ok(deploy)
}

/// The first history problem that stops a deploy.
fn history_problem(status: &[StatusRow], allow_out_of_order: bool) -> Option<String> {
    let named = |state: State| -> Vec<&str> {
        status
            .iter()
            .filter(|row| row.state == state)
            .map(|row| row.version.as_str())
            .collect()
    };
    let checks = [
        (State::MissingLocally, "applied in the database but missing locally (drift: restore the files, or capture the remote change in a new migration)"),
        (State::Edited, "edited after they were applied (restore the applied content and put the change in a new migration)"),
        (State::Failed, "recorded as failed or dirty in the database's history (repair it with the migration tool first)"),
    ];
    for (state, why) in checks {
        let versions = named(state);
        if !versions.is_empty() {
            return Some(format!("version(s) {} {why}", versions.join(", ")));
        }
    }
    let out_of_order = named(State::OutOfOrder);
    if !out_of_order.is_empty() && !allow_out_of_order {
        return Some(format!(
            "version(s) {} are pending but older than the newest applied one; renumber them (`schemagate fix --renumber`) or pass --allow-out-of-order",
            out_of_order.join(", ")
        ));
    }
    None
}

fn pending_migrations<'a>(
    set: &'a MigrationSet,
    status: &[StatusRow],
    allow_out_of_order: bool,
) -> Vec<&'a Migration> {
    status
        .iter()
        .filter(|row| {
            row.state == State::Pending || (allow_out_of_order && row.state == State::OutOfOrder)
        })
        .filter_map(|row| {
            let local = row.local.as_deref()?;
            set.applied().find(|m| m.path == local)
        })
        .collect()
}

/// The history tables: the rehearsal's and production's differ in rows, not in schema, but
/// a table one side lacked (the first deploy creates it) is not a schema difference.
fn is_history(change: &Change) -> bool {
    let identity = change.key().1;
    [
        "supabase_migrations.",
        "public.schema_migrations",
        "public.goose_db_version",
        "public.flyway_schema_history",
    ]
    .iter()
    .any(|table| identity.starts_with(table))
        || identity == "supabase_migrations"
}

async fn snapshot(client: &Client, what: &str) -> Result<Snapshot, Failure> {
    Snapshot::take(client).await.map_err(|e| {
        Failure::Environment(format!(
            "cannot read the catalog of {what}: {}",
            crate::postgres::describe_error(&e)
        ))
    })
}

fn reading(shown: &str, error: &tokio_postgres::Error) -> Failure {
    Failure::Environment(format!(
        "cannot read {shown}: {}",
        crate::postgres::describe_error(error)
    ))
}
