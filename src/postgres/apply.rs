//! Applies a migrations folder over one connection: each file in its own transaction,
//! `RESET ALL` between files, statement by statement so a failure names its statement,
//! statements that cannot run in a transaction on their own, the Supabase CLI's history
//! table, and a catalog snapshot after each file for attribution.

use super::baseline::{self, Baseline, BaselineApplied};
use super::catalog::{self, Changes};
use super::cause::{self, Context};
use super::overlay::EMULATED_VERSION;
use super::trace::{FileTrace, Tracer};
use super::Database;
use crate::findings::{Finding, Location, Source};
use crate::migrations::{Migration, MigrationSet};
use crate::rules::registry;
use crate::sql::Statement;
use regex::Regex;
use serde::Serialize;
use std::sync::{Arc, LazyLock};
use std::time::{Duration, Instant};
use tokio_postgres::error::ErrorPosition;

/// What happened to each file, in apply order.
#[derive(Debug, Clone, Serialize)]
pub struct ApplyReport {
    pub folder: String,
    /// The server, e.g. `PostgreSQL 15.18 (ephemeral, …)`.
    pub server: String,
    pub files: Vec<FileResult>,
    /// The baseline applied before the files, when one is configured.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<BaselineApplied>,
    /// The lock and rewrite trace of each file, when [`ApplyOptions::trace`] asked for it;
    /// `check` puts the production path's here, and the JSON document lists it as `trace`.
    #[serde(skip)]
    pub trace: Vec<FileTrace>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileStatus {
    Applied,
    Failed,
    NotReached,
}

#[derive(Debug, Clone, Serialize)]
pub struct FileResult {
    pub path: String,
    pub status: FileStatus,
    #[serde(serialize_with = "as_millis", rename = "duration_ms")]
    pub duration: Duration,
    /// Objects the file created / changed / dropped (`table public.t`, `function auth.x()`).
    pub created: Vec<String>,
    pub changed: Vec<String>,
    pub dropped: Vec<String>,
}

fn as_millis<S: serde::Serializer>(duration: &Duration, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_u64(duration.as_millis() as u64)
}

impl ApplyReport {
    pub fn count(&self, status: FileStatus) -> usize {
        self.files.iter().filter(|f| f.status == status).count()
    }

    /// The file where the apply stopped (the baseline, or a migration), if it did.
    pub fn stopped_at(&self) -> Option<&str> {
        match &self.baseline {
            Some(baseline) if baseline.failed => Some(&baseline.path),
            _ => self
                .files
                .iter()
                .find(|f| f.status == FileStatus::Failed)
                .map(|f| f.path.as_str()),
        }
    }
}

#[derive(Debug, Clone)]
pub struct ApplyOptions {
    /// Record each file in `supabase_migrations.schema_migrations`, as the Supabase CLI does.
    pub record_history: bool,
    /// Show "file n of N" on stderr (`postgres::progress`: in place on a terminal, a line
    /// every few seconds elsewhere).
    pub progress: bool,
    /// The server-side statement timeout; the client gives up (and cancels) well after it.
    pub statement_timeout: Duration,
    /// Applied after the prelude and before the files of a from-scratch apply.
    pub baseline: Option<Arc<Baseline>>,
    /// [`apply_files`] (files onto a schema that exists already, as production's) traces
    /// the locks and rewrites of each statement on the relations that existed before the
    /// files ([`super::trace`]); a from-scratch [`apply`] never does. Off: `--no-trace`.
    pub trace: bool,
}

impl ApplyOptions {
    pub fn new(
        set: &MigrationSet,
        statement_timeout: Duration,
        quiet: bool,
        baseline: Option<Arc<Baseline>>,
    ) -> ApplyOptions {
        ApplyOptions {
            record_history: set.layout == crate::migrations::Layout::Supabase,
            progress: !quiet,
            statement_timeout,
            baseline,
            trace: true,
        }
    }

    /// The files a from-scratch apply runs: the set's, without those the baseline contains.
    pub fn from_scratch<'a>(&self, set: &'a MigrationSet) -> Vec<&'a Migration> {
        set.applied()
            .filter(|m| !self.baseline.as_ref().is_some_and(|b| b.contains(m)))
            .collect()
    }
}

/// Statements PostgreSQL refuses inside a transaction block.
static NON_TRANSACTIONAL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?is)^\s*(?:create\s+(?:unique\s+)?index\s+concurrently|drop\s+index\s+concurrently|reindex\b[^;]*\bconcurrently|vacuum\b|alter\s+system\b|create\s+database\b|drop\s+database\b|create\s+tablespace\b|drop\s+tablespace\b|alter\s+subscription\b[^;]*\brefresh\b|create\s+subscription\b|drop\s+subscription\b)",
    )
    .expect("valid regex")
});

pub fn is_non_transactional(text: &str) -> bool {
    NON_TRANSACTIONAL.is_match(text)
}

/// A statement's failure, as the server reported it.
pub(super) struct Failed {
    pub code: String,
    pub message: String,
    pub detail: Option<String>,
    pub hint: Option<String>,
    pub context: Option<String>,
    /// 1-based character position within the statement.
    pub position: Option<u32>,
}

impl Failed {
    fn from_error(error: &tokio_postgres::Error) -> Failed {
        match error.as_db_error() {
            Some(db) => Failed {
                code: db.code().code().to_string(),
                message: db.message().to_string(),
                detail: db.detail().map(str::to_string),
                hint: db.hint().map(str::to_string),
                context: db.where_().map(str::to_string),
                position: match db.position() {
                    Some(ErrorPosition::Original(position)) => Some(*position),
                    _ => None,
                },
            },
            None => Failed {
                code: "08006".to_string(),
                message: format!("the connection failed: {error}"),
                detail: None,
                hint: None,
                context: None,
                position: None,
            },
        }
    }
}

/// The client side's limit on one statement, over the server-side `statement_timeout`
/// (which a migration can lift or a plpgsql block can swallow).
pub(super) struct Watchdog {
    limit: Duration,
    /// The session's backend, to terminate when a cancel is ignored.
    backend: Option<i32>,
}

impl Watchdog {
    async fn new(db: &Database, options: &ApplyOptions) -> Watchdog {
        Watchdog {
            limit: options.statement_timeout * 2 + Duration::from_secs(10),
            backend: db
                .client
                .query_one("select pg_backend_pid()", &[])
                .await
                .ok()
                .and_then(|row| row.try_get(0).ok()),
        }
    }
}

/// How long a cancelled statement may take to stop before its session is terminated.
const CANCEL_GRACE: Duration = Duration::from_secs(5);

/// Runs one statement. Past the watchdog's limit it is cancelled; a statement that ignores
/// the cancel (a loop that catches `query_canceled`) has its backend terminated from a
/// second connection, so a run never hangs. Both end as a statement timeout (57014).
pub(super) async fn run(db: &Database, text: &str, watchdog: &Watchdog) -> Result<(), Failed> {
    let future = db.client.batch_execute(text);
    tokio::pin!(future);
    if let Ok(result) = tokio::time::timeout(watchdog.limit, &mut future).await {
        return result.map_err(|e| Failed::from_error(&e));
    }
    let _ = super::connect::cancel(&db.client, &db.connection).await;
    if let Ok(result) = tokio::time::timeout(CANCEL_GRACE, &mut future).await {
        return result.map_err(|e| Failed::from_error(&e));
    }
    let ended = match watchdog.backend {
        Some(pid) => terminate(db, pid).await,
        None => Err("its backend is unknown".to_string()),
    };
    let _ = tokio::time::timeout(CANCEL_GRACE, &mut future).await;
    let what = match ended {
        Ok(()) => "so schemagate terminated its session".to_string(),
        Err(error) => format!("and schemagate could not terminate its session ({error})"),
    };
    Err(Failed {
        code: "57014".to_string(),
        message: format!(
            "the statement ran past {} s and ignored the cancel, {what}",
            watchdog.limit.as_secs()
        ),
        detail: None,
        hint: None,
        context: None,
        position: None,
    })
}

/// Ends the backend `pid` from a second connection to the same database.
async fn terminate(db: &Database, pid: i32) -> Result<(), String> {
    let connect = super::connect::connect(&db.connection, "the database, to end the statement");
    let client = match tokio::time::timeout(CANCEL_GRACE, connect).await {
        Ok(Ok(client)) => client,
        Ok(Err(error)) => return Err(error.to_string()),
        Err(_) => return Err("no connection within 5 s".to_string()),
    };
    let terminated = client
        .query_one("select pg_terminate_backend($1)", &[&pid])
        .await
        .map_err(|error| super::describe_error(&error))
        .and_then(|row| row.try_get::<_, bool>(0).map_err(|e| e.to_string()));
    match terminated {
        Ok(true) => Ok(()),
        Ok(false) => Err("pg_terminate_backend refused".to_string()),
        Err(error) => Err(error),
    }
}

/// Applies the set from scratch: the baseline when there is one, then the files it does
/// not contain, in order; stops at the first failure.
pub async fn apply(
    db: &Database,
    set: &MigrationSet,
    options: &ApplyOptions,
) -> (ApplyReport, Vec<Finding>) {
    let applied = options.from_scratch(set);
    // Nothing existed before a from-scratch apply: there is nothing to trace.
    let options = &ApplyOptions {
        trace: false,
        ..options.clone()
    };
    let Some(base) = &options.baseline else {
        return apply_files(db, set, applied, options).await;
    };
    let watchdog = Watchdog::new(db, options).await;
    match baseline::apply(db, base, &watchdog).await {
        Ok(done) => {
            let (mut report, findings) = apply_files(db, set, applied, options).await;
            report.baseline = Some(done);
            (report, findings)
        }
        Err(finding) => {
            let report = ApplyReport {
                folder: crate::migrations::display_path(&set.root),
                server: db.description.clone(),
                files: applied.iter().map(|m| not_reached(m)).collect(),
                baseline: Some(BaselineApplied {
                    path: base.file.path.clone(),
                    failed: true,
                    applied: 0,
                    skipped: Vec::new(),
                }),
                trace: Vec::new(),
            };
            (report, vec![finding])
        }
    }
}

fn not_reached(migration: &Migration) -> FileResult {
    FileResult {
        path: migration.path.clone(),
        status: FileStatus::NotReached,
        duration: Duration::ZERO,
        created: Vec::new(),
        changed: Vec::new(),
        dropped: Vec::new(),
    }
}

/// Applies `applied` (some of the set's files, in order) onto whatever `db` holds already:
/// e.g. a branch's new migrations on top of the base branch's, the path production takes
/// (traced, with [`ApplyOptions::trace`]).
pub async fn apply_files(
    db: &Database,
    set: &MigrationSet,
    applied: Vec<&Migration>,
    options: &ApplyOptions,
) -> (ApplyReport, Vec<Finding>) {
    let watchdog = &Watchdog::new(db, options).await;
    let mut report = ApplyReport {
        folder: crate::migrations::display_path(&set.root),
        server: db.description.clone(),
        files: Vec::new(),
        baseline: None,
        trace: Vec::new(),
    };
    let mut findings = Vec::new();
    if options.record_history {
        let _ = run(
            db,
            "create schema if not exists supabase_migrations; create table if not exists supabase_migrations.schema_migrations (version text not null primary key, statements text[], name text)",
            watchdog,
        )
        .await;
    }
    // Every extension the server offers, and which of them are only schemagate's emulations.
    let offered: Vec<(String, bool)> = db
        .client
        .query(
            "select name::text, default_version is not distinct from $1 from pg_available_extensions",
            &[&EMULATED_VERSION],
        )
        .await
        .map(|rows| {
            rows.iter()
                .filter_map(|r| Some((r.try_get(0).ok()?, r.try_get(1).ok()?)))
                .collect()
        })
        .unwrap_or_default();
    let available: Vec<String> = offered.iter().map(|(name, _)| name.clone()).collect();
    let emulated_extensions: Vec<String> = offered
        .into_iter()
        .filter_map(|(name, emulated)| emulated.then_some(name))
        .collect();
    let tracking = match catalog::install(&db.admin).await {
        Ok(()) => true,
        Err(error) => {
            eprintln!(
                "warning: cannot track what each file changes ({}); attribution is off",
                super::describe_error(&error)
            );
            false
        }
    };
    let mut tracer = match options.trace {
        true => match Tracer::start(db).await {
            Ok(tracer) => Some(tracer),
            Err(error) => {
                eprintln!("warning: cannot trace locks and rewrites ({error}); the static safety rules stand alone");
                None
            }
        },
        false => None,
    };
    let total = applied.len();
    let mut failed_at: Option<usize> = None;
    // Those the prelude created (Supabase has them preinstalled) are not the migrations' doing.
    let mut emulated = EmulatedSeen {
        names: emulated_now(db).await,
    };
    let mut progress = options
        .progress
        .then(|| super::progress::Progress::new(total));
    for (index, migration) in applied.iter().enumerate() {
        if let Some(progress) = &mut progress {
            progress.file(index, &migration.path);
        }
        let started = Instant::now();
        let outcome = apply_file(
            db,
            migration,
            options,
            watchdog,
            (&mut emulated, tracer.as_mut()),
            &mut findings,
        )
        .await;
        let _ = run(db, "rollback; reset all", watchdog).await;
        let changes = file_changes(db, tracking).await;
        let mut result = FileResult {
            path: migration.path.clone(),
            status: FileStatus::Applied,
            duration: started.elapsed(),
            created: changes.created.iter().map(|o| o.label()).collect(),
            changed: changes.changed.iter().map(|o| o.label()).collect(),
            dropped: changes.dropped.iter().map(|o| o.label()).collect(),
        };
        if changes.created_extension() {
            for name in emulated_now(db).await {
                if emulated.names.insert(name.clone()) {
                    findings.push(emulated_finding(migration, None, &name));
                }
            }
        }
        findings.extend(managed_schema_findings(migration, &changes));
        if let Err((statement, failed)) = outcome {
            result.status = FileStatus::Failed;
            let known = cause::KnownNames::load(&db.client).await;
            let cx = Context {
                set,
                applied: &applied,
                failed: index,
                supabase: db.supabase,
                available_extensions: &available,
                emulated_extensions: &emulated_extensions,
                known: &known,
            };
            findings.push(failure_finding(migration, statement, &failed, &cx));
            report.files.push(result);
            failed_at = Some(index);
            break;
        }
        report.files.push(result);
    }
    if let Some(progress) = &progress {
        progress.finish();
    }
    report.trace = tracer.map(Tracer::finish).unwrap_or_default();
    if tracking {
        if let Err(error) = catalog::remove(&db.admin).await {
            eprintln!(
                "warning: cannot remove schemagate's change tracker ({})",
                super::describe_error(&error)
            );
        }
    }
    if let Some(index) = failed_at {
        for migration in &applied[index + 1..] {
            report.files.push(not_reached(migration));
        }
        if let Some(finding) = findings.last_mut() {
            let not_reached = total - index - 1;
            if not_reached > 0 {
                let count = if not_reached == 1 {
                    "1 later file was".to_string()
                } else {
                    format!("{not_reached} later files were")
                };
                finding.message.push_str(&format!(
                    "\n{count} not applied (first: `{}`)",
                    applied[index + 1].path
                ));
            }
        }
    }
    (report, findings)
}

/// What the file did, from the tracker's log; on error (a bug: the tracker is ours) a
/// warning and no attribution.
async fn file_changes(db: &Database, tracking: bool) -> Changes {
    if !tracking {
        return Changes::default();
    }
    match catalog::take_changes(&db.admin).await {
        Ok(changes) => changes,
        Err(error) => {
            eprintln!(
                "warning: cannot read what the file changed ({}); attribution is incomplete",
                super::describe_error(&error)
            );
            Changes::default()
        }
    }
}

/// The failing statement (None: the history insert) and the server's error.
type FileError<'a> = (Option<&'a Statement>, Failed);

/// Emulated extensions already reported in this run.
#[derive(Default)]
struct EmulatedSeen {
    names: std::collections::BTreeSet<String>,
}

/// `create extension pg_cron with schema x`: Supabase's supautils overrides the schema
/// with pg_catalog (the only one pg_cron accepts); so does schemagate for Supabase folders.
static PG_CRON_SCHEMA: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?is)^(\s*create\s+extension\s+(?:if\s+not\s+exists\s+)?"?pg_cron"?)(?:\s+with)?\s+schema\s+(?:"[^"]+"|[a-z_][a-z0-9_$]*)"#)
        .expect("valid regex")
});

/// The statement as the server should see it (Supabase's supautils overrides applied).
pub(super) fn as_supabase_runs_it(text: &str, supabase: bool) -> std::borrow::Cow<'_, str> {
    if supabase {
        PG_CRON_SCHEMA.replace(text, "$1 schema pg_catalog")
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

static CREATE_EXTENSION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?is)^\s*create\s+extension\b").expect("valid regex"));

/// After a `CREATE EXTENSION`: reports emulated extensions that just appeared (checked per
/// statement, so one created and dropped within a file is seen too).
async fn note_emulated(
    db: &Database,
    migration: &Migration,
    statement: &Statement,
    seen: &mut EmulatedSeen,
    findings: &mut Vec<Finding>,
) {
    for name in emulated_now(db).await {
        if seen.names.insert(name.clone()) {
            findings.push(emulated_finding(migration, Some(statement), &name));
        }
    }
}

/// The emulated extensions installed now.
async fn emulated_now(db: &Database) -> std::collections::BTreeSet<String> {
    db.client
        .query(
            "select extname::text from pg_extension where extversion = $1",
            &[&EMULATED_VERSION],
        )
        .await
        .map(|rows| rows.iter().filter_map(|r| r.try_get(0).ok()).collect())
        .unwrap_or_default()
}

async fn apply_file<'a>(
    db: &Database,
    migration: &'a Migration,
    options: &ApplyOptions,
    watchdog: &Watchdog,
    (emulated, mut tracer): (&mut EmulatedSeen, Option<&mut Tracer>),
    findings: &mut Vec<Finding>,
) -> Result<(), FileError<'a>> {
    let Some(source) = &migration.source else {
        return Ok(());
    };
    let transactional = !migration.no_transaction;
    if let Some(tracer) = tracer.as_deref_mut() {
        tracer.begin_file(db, migration).await;
    }
    if transactional {
        run(db, "begin", watchdog).await.map_err(|f| (None, f))?;
    }
    let mut texts: Vec<&str> = Vec::new();
    let shares_file = migration.statements.iter().filter(|s| s.applies).count() > 1;
    for statement in migration.statements.iter().filter(|s| s.applies) {
        let text = statement.text(source);
        texts.push(text);
        if transactional && is_non_transactional(text) {
            run(db, "commit", watchdog)
                .await
                .map_err(|f| (Some(statement), f))?;
            run(db, text, watchdog)
                .await
                .map_err(|f| (Some(statement), f))?;
            if let Some(tracer) = tracer.as_deref_mut() {
                tracer.released();
                tracer.after(db, migration, statement, false).await;
            }
            run(db, "begin", watchdog)
                .await
                .map_err(|f| (Some(statement), f))?;
            if !shares_file {
                continue;
            }
            findings.push(
                registry::finding(
                    registry::NON_TRANSACTIONAL_STATEMENT,
                    "this statement cannot run inside a transaction: it was applied on its own, outside the file's transaction, so a later failure in this file does not undo it",
                )
                .with_help("keep such statements in a file of their own, so a failed migration never leaves a half-applied file behind")
                .with_source(Source::Apply)
                .with_location(migration.statement_location(statement)),
            );
            continue;
        }
        run(db, &as_supabase_runs_it(text, db.supabase), watchdog)
            .await
            .map_err(|f| (Some(statement), f))?;
        if let Some(tracer) = tracer.as_deref_mut() {
            tracer.after(db, migration, statement, transactional).await;
        }
        if CREATE_EXTENSION.is_match(text) {
            note_emulated(db, migration, statement, emulated, findings).await;
        }
    }
    if options.record_history {
        let version = migration.version.clone().unwrap_or_default();
        let statements: Vec<String> = texts.iter().map(|t| t.to_string()).collect();
        db.client
            .execute(
                "insert into supabase_migrations.schema_migrations (version, name, statements) values ($1, $2, $3)",
                &[&version, &migration.name, &statements],
            )
            .await
            .map_err(|e| (None, Failed::from_error(&e)))?;
    }
    if transactional {
        run(db, "commit", watchdog).await.map_err(|f| (None, f))?;
    }
    Ok(())
}

/// The location of the server's error position (a 1-based character index within the
/// statement), else of the statement, else of the file.
pub(super) fn error_location(
    migration: &Migration,
    statement: Option<&Statement>,
    position: Option<u32>,
) -> Location {
    let (Some(statement), Some(source)) = (statement, &migration.source) else {
        return crate::migrations::file_location(&migration.path);
    };
    let text = statement.text(source);
    let Some(position) = position else {
        return migration.statement_location(statement);
    };
    let offset = text
        .char_indices()
        .nth(position.saturating_sub(1) as usize)
        .map_or(text.len(), |(i, _)| i);
    let start = statement.span.start + offset;
    let end = start + text[offset..].chars().next().map_or(0, char::len_utf8);
    source.location(&migration.path, &(start..end))
}

fn failure_finding(
    migration: &Migration,
    statement: Option<&Statement>,
    failed: &Failed,
    cx: &Context<'_>,
) -> Finding {
    let source_text = migration.source.as_ref();
    let text = statement
        .zip(source_text)
        .map(|(s, source)| s.text(source))
        .unwrap_or_default();
    let history = statement.is_none() && failed.code == "23505";
    let explanation = if history {
        cause::Explanation {
            rule: registry::APPLY_FAILED,
            cause: Some(format!(
                "duplicate version: another file already recorded version {} in supabase_migrations.schema_migrations, whose primary key is the version",
                migration.version.as_deref().unwrap_or("?")
            )),
            help: "give this file a new, unique version (a fresh timestamp) that keeps the intended order".to_string(),
        }
    } else {
        cause::explain(
            &failed.code,
            &failed.message,
            failed.detail.as_deref(),
            text,
            cx,
        )
    };
    let which = match statement {
        Some(statement) => format!("statement {}", statement.index + 1),
        None if history => "recording it in the migration history".to_string(),
        None => "the transaction".to_string(),
    };
    let mut message = format!(
        "`{}` failed at {which}: {} {}",
        migration.path, failed.code, failed.message
    );
    for (label, value) in [
        ("detail", &failed.detail),
        ("hint", &failed.hint),
        ("context", &failed.context),
    ] {
        if let Some(value) = value {
            message.push_str(&format!("\n{label}: {value}"));
        }
    }
    if let Some(cause) = &explanation.cause {
        message.push_str(&format!("\ncause: {cause}"));
    }
    let location = error_location(migration, statement, failed.position);
    registry::finding(explanation.rule, message)
        .with_help(explanation.help)
        .with_source(Source::Apply)
        .with_location(location)
        .finish(if text.is_empty() {
            &migration.path
        } else {
            text
        })
}

/// The statement of `migration` that most likely made `needle` (its text mentions it).
fn statement_mentioning<'a>(migration: &'a Migration, needles: &[&str]) -> Option<&'a Statement> {
    let source = migration.source.as_ref()?;
    let applied: Vec<&Statement> = migration.statements.iter().filter(|s| s.applies).collect();
    for needle in needles {
        let needle = needle.to_lowercase();
        if let Some(statement) = applied
            .iter()
            .find(|s| s.text(source).to_lowercase().contains(&needle))
        {
            return Some(statement);
        }
    }
    None
}

/// `extension-emulated` at the statement that created it (or the file, when unknown).
fn emulated_finding(migration: &Migration, statement: Option<&Statement>, name: &str) -> Finding {
    let location = match statement.or_else(|| {
        statement_mentioning(
            migration,
            &[&format!("extension {name}"), &format!("\"{name}\""), name],
        )
    }) {
        Some(statement) => migration.statement_location(statement),
        None => crate::migrations::file_location(&migration.path),
    };
    registry::finding(
        registry::EXTENSION_EMULATED,
        format!("extension `{name}` is emulated: its schema and SQL functions exist, but calling them does nothing (this server does not have the real {name})"),
    )
    .with_help(format!(
        "nothing to fix; for full fidelity {}",
        cause::extension_remedy(name).replacen("install it", "install the real extension", 1)
    ))
    .with_source(Source::Apply)
    .with_object(format!("extension {name}"))
    .with_location(location)
}

/// `objects-in-supabase-schemas` for what a file created or altered in a managed schema.
/// A `DO` block that checks its privileges first (`has_schema_privilege(…)`) or catches
/// `insufficient_privilege` does nothing where Supabase forbids what it creates.
fn guards_its_privileges(migration: &Migration, statement: &Statement) -> bool {
    static GUARDED_DO: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?is)^do\b.*\b(?:has_schema_privilege\s*\(|when\s+insufficient_privilege\b)")
            .expect("valid regex")
    });
    migration
        .source
        .as_ref()
        .is_some_and(|source| GUARDED_DO.is_match(statement.text(source)))
}

fn managed_schema_findings(migration: &Migration, changes: &Changes) -> Vec<Finding> {
    let mut findings = Vec::new();
    let locate = |needles: &[&str]| match statement_mentioning(migration, needles) {
        Some(statement) if guards_its_privileges(migration, statement) => None,
        Some(statement) => Some(migration.statement_location(statement)),
        None => Some(crate::migrations::file_location(&migration.path)),
    };
    let managed = changes
        .created
        .iter()
        .map(|o| (o, "creates"))
        .chain(changes.changed.iter().map(|o| (o, "alters")))
        .filter(|(o, _)| {
            crate::supabase::RESTRICTED_SCHEMAS.contains(&o.schema.as_str())
                && !o.from_extension
                && !matches!(
                    o.kind.as_str(),
                    "policy" | "trigger" | "extension" | "schema"
                )
        });
    for (object, verb) in managed {
        let qualified = object.name.split('(').next().unwrap_or(&object.name);
        let bare = qualified
            .rsplit('.')
            .next()
            .unwrap_or(qualified)
            .trim_matches('"');
        let Some(location) = locate(&[qualified, bare, &object.schema]) else {
            continue;
        };
        findings.push(
            registry::finding(
                registry::OBJECTS_IN_SUPABASE_SCHEMAS,
                format!(
                    "`{}` {verb} {} in `{}`, a schema Supabase manages; hosted Supabase does not allow this (`supabase db push` fails with permission denied)",
                    migration.path,
                    object.label(),
                    object.schema
                ),
            )
            .with_help("create your own objects in `public` or a schema of your own; for auth events use a trigger on auth.users that calls a function in your schema")
            .with_source(Source::Apply)
            .with_object(qualified.to_string())
            .with_location(location),
        );
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_statements_that_cannot_run_in_a_transaction() {
        assert!(is_non_transactional(
            "CREATE INDEX CONCURRENTLY i ON t (a);"
        ));
        assert!(is_non_transactional(
            "create unique index concurrently if not exists i on t (a)"
        ));
        assert!(is_non_transactional("drop index concurrently i;"));
        assert!(is_non_transactional("VACUUM ANALYZE t;"));
        assert!(!is_non_transactional("create index i on t (a);"));
        assert!(!is_non_transactional("select 'vacuum';"));
    }

    #[test]
    fn pg_cron_goes_to_pg_catalog_as_supautils_does() {
        assert_eq!(
            as_supabase_runs_it(
                "create extension if not exists pg_cron with schema extensions;",
                true
            ),
            "create extension if not exists pg_cron schema pg_catalog;"
        );
        assert_eq!(
            as_supabase_runs_it("CREATE EXTENSION \"pg_cron\" SCHEMA \"extensions\"", true),
            "CREATE EXTENSION \"pg_cron\" schema pg_catalog"
        );
        let plain = "create extension pg_cron with schema extensions";
        assert_eq!(as_supabase_runs_it(plain, false), plain);
        assert_eq!(
            as_supabase_runs_it("create extension pg_net with schema extensions", true),
            "create extension pg_net with schema extensions"
        );
    }
}
