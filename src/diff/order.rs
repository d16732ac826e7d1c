//! Order dependence and the schema changes of a branch, from two real applies:
//!
//! * the path production takes: the base branch's migrations, a snapshot, then the
//!   migrations this branch adds, a snapshot. The two snapshots give the branch's schema
//!   changes ("Schema changes in this pull request");
//! * the path a new environment takes: the folder as it will be after the merge, from
//!   scratch, a snapshot.
//!
//! Different final catalogs are an `order-dependent-schema` finding. Each path runs in a
//! database of its own on the same server ([`Database::create_sibling`]). When both paths
//! run the same files in the same order (the branch only appends migrations), they cannot
//! differ and the fresh apply is skipped.
//!
//! With a baseline (`ApplyOptions::baseline`), every from-scratch apply (the base's, the
//! fresh path's) starts from it, so both paths compare like for like.

use super::base::{self, Folders};
use super::{describe, diff, Change, Snapshot};
use crate::config::Config;
use crate::findings::{Finding, Source};
use crate::migrations::{file_location, Migration};
use crate::postgres::apply::{self, ApplyOptions, ApplyReport};
use crate::postgres::trace::FileTrace;
use crate::postgres::{Database, ServerOptions};
use crate::rules::registry;
use crate::Failure;

/// At most this many differences are listed in a finding.
const SHOWN_DIFFERENCES: usize = 5;

/// What the order check found for one folder.
#[derive(Debug, Default)]
pub struct OrderOutcome {
    /// Raw `order-dependent-schema` findings, on the branch's files (levels and
    /// suppressions are applied by `lint::finalize`).
    pub findings: Vec<Finding>,
    /// The base → branch schema changes along the production path; `None` when they could
    /// not be computed (`notes` says why).
    pub changes: Option<Vec<Change>>,
    /// What was skipped and why, for `-v`.
    pub notes: Vec<String>,
    /// The base's own apply and catalog findings, when they were asked for.
    pub base: Option<BaseRun>,
    /// The lock and rewrite trace of the branch's new migrations applied onto the base's
    /// schema (docs/trace.md); empty when they were not applied there.
    pub trace: Vec<FileTrace>,
}

/// The base branch's migrations applied on a database of their own: what production has,
/// for telling the branch's findings from the base's (`history::causation`).
#[derive(Debug, Default)]
pub struct BaseRun {
    /// Raw apply findings of the base's files.
    pub apply: Vec<Finding>,
    /// Raw catalog findings, when every file applied and they were asked for.
    pub catalog: Option<Vec<Finding>>,
}

/// The order check and schema changes for the head folder compared with the base, from the
/// two folders [`base::materialize`] wrote. `database` is any database on the server to
/// use: it is not written to; each path gets a new database next to it, prepared with
/// `server`. Files are applied as `apply_options` says, without progress output. With
/// `catalog`, the catalog rules also run on the base's schema ([`OrderOutcome::base`]).
pub async fn order_check(
    database: &Database,
    server: &ServerOptions,
    folders: &Folders,
    apply_options: &ApplyOptions,
    catalog: Option<&Config>,
) -> Result<OrderOutcome, Failure> {
    let options = ApplyOptions {
        progress: false,
        ..apply_options.clone()
    };
    run_paths(database, server, folders, &options, catalog).await
}

/// Applies the base's folder to a new database next to `database` and, when every file
/// applied and `catalog` is given, runs the catalog rules there (and compares the base's
/// declarative schema files with it, when it has some) — and, when the branch is behind
/// its base, on the folder where it started too (what it had before it changed anything).
/// Returns the database with the base's schema.
pub async fn apply_base(
    database: &Database,
    server: &ServerOptions,
    folders: &Folders,
    options: &ApplyOptions,
    catalog: Option<&Config>,
) -> Result<(Database, ApplyReport, BaseRun), Failure> {
    let production = database.create_sibling(server).await?;
    let (report, findings) = apply::apply(&production, &folders.base, options).await;
    let complete = failure(&report, &findings).is_none();
    let catalog = match catalog {
        Some(config) if complete => {
            let mut found = catalog_findings(&production, config, "the base branch's").await?;
            if let Some(schemas) = &folders.declarative {
                let model = crate::model::Model::build(&folders.base);
                let migrations = (&folders.base, &model);
                found.extend(
                    crate::declarative::compare(&production, server, schemas, migrations, options)
                        .await?,
                );
            }
            match &folders.start {
                None => Some(found),
                Some(start) => {
                    let started = database.create_sibling(server).await?;
                    let (report, findings) = apply::apply(&started, start, options).await;
                    match failure(&report, &findings) {
                        None => {
                            found.extend(
                                catalog_findings(&started, config, "the branch's starting").await?,
                            );
                            Some(found)
                        }
                        Some(_) => None,
                    }
                }
            }
        }
        _ => None,
    };
    let run = BaseRun {
        apply: findings,
        catalog,
    };
    Ok((production, report, run))
}

async fn catalog_findings(
    database: &Database,
    config: &Config,
    whose: &str,
) -> Result<Vec<Finding>, Failure> {
    crate::inspect::run(&database.client, config)
        .await
        .map_err(|e| {
            Failure::Environment(format!(
                "the catalog rules failed on {whose} schema: {}",
                crate::postgres::describe_error(&e)
            ))
        })
}

async fn run_paths(
    database: &Database,
    server: &ServerOptions,
    folders: &Folders,
    options: &ApplyOptions,
    catalog: Option<&Config>,
) -> Result<OrderOutcome, Failure> {
    let mut outcome = OrderOutcome::default();
    let merged = &folders.merged;
    let fresh_order: Vec<&Migration> = options.from_scratch(merged);
    let new: Vec<&Migration> = fresh_order
        .iter()
        .copied()
        .filter(|m| folders.added.contains(&base::relative_path(merged, m)))
        .collect();
    if new.is_empty() && catalog.is_none() {
        outcome.changes = Some(Vec::new());
        outcome
            .notes
            .push("the branch adds no migrations: production applies nothing new".to_string());
        return Ok(outcome);
    }

    let (production, report, base_run) =
        apply_base(database, server, folders, options, catalog).await?;
    let base_failure = failure(&report, &base_run.apply);
    outcome.base = Some(base_run);
    if let Some(failed) = base_failure {
        outcome.notes.push(format!(
            "the base branch's migrations do not apply here ({failed}); the order check and the schema changes are skipped"
        ));
        return Ok(outcome);
    }
    let Some(&first_new) = new.first() else {
        outcome.changes = Some(Vec::new());
        outcome
            .notes
            .push("the branch adds no migrations: production applies nothing new".to_string());
        return Ok(outcome);
    };
    let before = snapshot(&production, "the base branch's").await?;
    // The production path is where the branch's migrations meet existing tables: traced
    // (unless `options` turned the trace off).
    let (mut report, findings) =
        apply::apply_files(&production, merged, new.clone(), options).await;
    outcome.trace = std::mem::take(&mut report.trace);
    outcome
        .findings
        .extend(crate::rules::trace::findings(merged, &outcome.trace));
    let production_failure = failure(&report, &findings);
    let after = match production_failure {
        None => Some(snapshot(&production, "the production path's").await?),
        Some(_) => None,
    };
    outcome.changes = after.as_ref().map(|after| diff(&before, after));
    drop(production);

    let production_order: Vec<&Migration> = options
        .from_scratch(&folders.base)
        .into_iter()
        .chain(new.iter().copied())
        .collect();
    if after.is_some() && same_files(&production_order, &fresh_order) {
        return Ok(outcome);
    }
    let fresh = database.create_sibling(server).await?;
    let (report, findings) = apply::apply(&fresh, merged, options).await;
    if let Some(failed) = failure(&report, &findings) {
        outcome.notes.push(format!(
            "the folder does not apply from scratch ({failed}); the order check is skipped"
        ));
        return Ok(outcome);
    }
    let fresh_snapshot = snapshot(&fresh, "the fresh path's").await?;
    // Point at a new file that runs earlier in a fresh apply than in production, else at
    // an applied migration the branch edits (production never re-runs it), else at the
    // first new file.
    let edited = fresh_order
        .iter()
        .copied()
        .find(|m| folders.rewritten.contains(&base::relative_path(merged, m)));
    let culprit = out_of_order(&fresh_order, &new)
        .or(edited)
        .unwrap_or(first_new);
    let rewritten = if folders.rewritten.is_empty() {
        String::new()
    } else {
        format!(
            "; this branch also edits or deletes migrations the base has ({}), which production never re-runs",
            folders.rewritten.join(", ")
        )
    };
    let help = format!(
        "give the branch's migrations versions after the base's newest (`schemagate fix --renumber --base REF`) so both paths run them last, then check they still do what you mean{rewritten}"
    );
    let finding = match (production_failure, after) {
        (Some(failed), _) => Some(format!(
            "this branch's migrations fail when applied after the base branch's (the path production takes: {failed}), yet the folder applies from scratch"
        )),
        (None, Some(after)) => {
            let differences = diff(&after, &fresh_snapshot);
            (!differences.is_empty()).then(|| {
                let mut message = format!(
                    "applying this branch's migrations after the base branch's (the path production takes) gives another schema than applying the folder from scratch (the path new environments take): {} difference{}",
                    differences.len(),
                    if differences.len() == 1 { "" } else { "s" }
                );
                for difference in differences.iter().take(SHOWN_DIFFERENCES) {
                    message.push_str("\n  ");
                    message.push_str(&describe::between(difference, "production", "a fresh database"));
                }
                if differences.len() > SHOWN_DIFFERENCES {
                    message.push_str(&format!("\n  … and {} more", differences.len() - SHOWN_DIFFERENCES));
                }
                message
            })
        }
        (None, None) => None,
    };
    if let Some(message) = finding {
        outcome.findings.push(
            registry::finding(registry::ORDER_DEPENDENT_SCHEMA, message)
                .with_help(help)
                .with_source(Source::Apply)
                .with_location(file_location(&culprit.path))
                .finish(&culprit.name),
        );
    }
    Ok(outcome)
}

/// The first line of the failure's finding (`` `file` failed at statement 2: … ``) when a
/// file failed. The engine stops at a failure, so its finding is the last one.
fn failure(report: &ApplyReport, findings: &[Finding]) -> Option<String> {
    let failed = report.stopped_at()?;
    Some(
        findings
            .last()
            .and_then(|f| f.message.lines().next())
            .filter(|line| line.contains(failed))
            .map_or_else(|| format!("`{failed}` failed"), str::to_string),
    )
}

/// Do both lists run the same texts in the same order?
fn same_files(a: &[&Migration], b: &[&Migration]) -> bool {
    fn text(m: &Migration) -> Option<&str> {
        m.source.as_ref().map(|s| s.text.as_str())
    }
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(x, y)| x.path == y.path && text(x) == text(y))
}

/// The first of the branch's migrations that a fresh apply runs before one of the base's
/// (so earlier than production runs it).
fn out_of_order<'a>(fresh_order: &[&'a Migration], new: &[&'a Migration]) -> Option<&'a Migration> {
    let is_new = |m: &Migration| new.iter().any(|n| n.path == m.path);
    let last_base = fresh_order.iter().rposition(|m| !is_new(m));
    fresh_order
        .iter()
        .enumerate()
        .find(|(index, m)| is_new(m) && last_base.is_some_and(|last| *index < last))
        .map(|(_, m)| *m)
}

/// The catalog snapshot of `database`, `what` naming whose it is in the error.
pub(crate) async fn snapshot(database: &Database, what: &str) -> Result<Snapshot, Failure> {
    Snapshot::take(&database.client).await.map_err(|e| {
        Failure::Environment(format!(
            "cannot read {what} catalog ({}); this is a schemagate bug, please report it with the server version",
            crate::postgres::describe_error(&e)
        ))
    })
}
