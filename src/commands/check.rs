//! `schemagate check [PATH]`: the gate. discover → lint → apply → (catalog rules) → report
//! → exit code.

use crate::cli::CheckArgs;
use crate::config::Config;
use crate::findings::Finding;
use crate::migrations::{self, Layout, MigrationSet};
use crate::model::Model;
use crate::postgres::apply::{self, ApplyOptions, ApplyReport};
use crate::postgres::{self, Database, ServerOptions};
use crate::report::Report;
use crate::Failure;

pub fn run(args: CheckArgs) -> Result<bool, Failure> {
    if !args.path.exists() {
        return Err(Failure::Usage(format!(
            "{} does not exist; pass a migrations folder or the repository root",
            args.path.display()
        )));
    }
    let base = crate::history::base_ref(args.common.base.as_deref());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::Environment(format!("cannot start the async runtime: {e}")))?;
    let mut sets: Vec<MigrationSet> = Vec::new();
    let mut findings: Vec<Finding> = Vec::new();
    let mut applies: Vec<ApplyReport> = Vec::new();
    for folder in migrations::find_folders(&args.path) {
        let config = super::load_config(&folder, &args.common)?;
        let set = migrations::load(&folder, config.layout);
        let comparison = match &base {
            Some(base) if !folder.is_file() => {
                Some(crate::history::compare(&folder, set.layout, base)?)
            }
            _ => None,
        };
        if args.common.verbose {
            eprintln!(
                "{}: {} layout, {} files",
                migrations::display_path(&set.root),
                set.layout.as_str(),
                set.migrations.len()
            );
        }
        let model = Model::build(&set);
        let mut raw = crate::lint::run_static_rules(&set, &model, &config);
        if let Some(comparison) = &comparison {
            crate::history::add_findings(&mut raw, comparison);
        }
        if !args.no_apply && set.applied().next().is_some() {
            let options = server_options(&args, &set, &config);
            let applied = runtime.block_on(apply_set(&args, &set, &config, &options))?;
            if let Some(catalog) = applied.catalog {
                // The catalog decides whether a finding of its rules exists; the static
                // model decides where it points.
                raw = crate::inspect::merge(raw, catalog, |object| {
                    let origin = model.locate(object)?;
                    let (migration, statement) = origin.resolve(&set)?;
                    Some(migration.statement_location(statement))
                });
            }
            raw.extend(without_static_duplicates(&raw, applied.findings));
            applies.push(applied.report);
        }
        let mut folder_findings = crate::lint::finalize(&set, &config, raw);
        if let Some(comparison) = &comparison {
            crate::history::mark_existing(&mut folder_findings, comparison);
        }
        findings.extend(folder_findings);
        sets.push(set);
    }
    if sets.iter().all(|s| s.migrations.is_empty()) && !args.common.quiet {
        eprintln!("note: no migration files found in {}", args.path.display());
    }
    crate::findings::sort_findings(&mut findings);
    let report = Report {
        command: "check",
        sets: &sets,
        findings,
        fail_on: args.common.fail_on,
        fail_on_existing: args.common.fail_on_existing,
        status: None,
        apply: applies,
        changes: None,
    };
    super::emit(&report, &args.common)
}

fn server_options(args: &CheckArgs, set: &MigrationSet, config: &Config) -> ServerOptions {
    let supabase = match config.prelude.as_deref() {
        Some("supabase") => true,
        Some(_) => false,
        None => set.layout == Layout::Supabase,
    };
    ServerOptions {
        database_url: args.database_url.clone().filter(|u| !u.is_empty()),
        pg_bin: args.pg_bin.clone().filter(|p| !p.as_os_str().is_empty()),
        pg_major: args.pg_version.or(config.pg_major),
        supabase,
        strict_privileges: args.strict_privileges,
        lock_timeout: args.lock_timeout,
        statement_timeout: args.statement_timeout,
    }
}

/// Apply findings the static rules already reported on the same object (the same rule on
/// the same object is one finding; the apply stage adds what the text does not show, such
/// as objects made by dynamic SQL).
fn without_static_duplicates(existing: &[Finding], found: Vec<Finding>) -> Vec<Finding> {
    found
        .into_iter()
        .filter(|finding| {
            finding.object.is_none()
                || !existing
                    .iter()
                    .any(|other| other.rule == finding.rule && other.object == finding.object)
        })
        .collect()
}

/// What applying one folder produced.
struct Applied {
    report: ApplyReport,
    findings: Vec<Finding>,
    /// The catalog rules' findings, when every file applied (on a half-applied database
    /// they would describe a schema no one has).
    catalog: Option<Vec<Finding>>,
}

async fn apply_set(
    args: &CheckArgs,
    set: &MigrationSet,
    config: &Config,
    options: &ServerOptions,
) -> Result<Applied, Failure> {
    let started = std::time::Instant::now();
    let database = postgres::open(options).await?;
    if args.common.verbose {
        eprintln!(
            "applying to {} (ready in {} ms)",
            database.description,
            started.elapsed().as_millis()
        );
    }
    let apply_options = ApplyOptions::new(set, args.statement_timeout, args.common.quiet);
    let (report, findings) = apply::apply(&database, set, &apply_options).await;
    let complete = report
        .files
        .iter()
        .all(|f| f.status == apply::FileStatus::Applied);
    let catalog = if complete {
        Some(catalog_findings(&database, config).await?)
    } else {
        None
    };
    Ok(Applied {
        report,
        findings,
        catalog,
    })
}

/// The catalog rules on the applied database, before it is dropped.
async fn catalog_findings(database: &Database, config: &Config) -> Result<Vec<Finding>, Failure> {
    crate::inspect::run(&database.client, config)
        .await
        .map_err(|error| {
            Failure::Environment(format!(
                "the catalog rules failed on the applied database: {}",
                postgres::describe_error(&error)
            ))
        })
}
