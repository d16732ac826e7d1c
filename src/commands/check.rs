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
        if !args.no_apply && set.applied().next().is_some() {
            let options = server_options(&args, &set, &config);
            let (report, apply_findings) =
                runtime.block_on(apply_set(&args, &set, &config, &options))?;
            raw.extend(apply_findings);
            applies.push(report);
        }
        findings.extend(crate::lint::finalize(&set, &config, raw));
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
        fail_on_existing: false,
        status: None,
        changes: None,
        apply: applies,
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

async fn apply_set(
    args: &CheckArgs,
    set: &MigrationSet,
    config: &Config,
    options: &ServerOptions,
) -> Result<(ApplyReport, Vec<Finding>), Failure> {
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
    let (report, mut findings) = apply::apply(&database, set, &apply_options).await;
    findings.extend(catalog_findings(&database, config).await);
    Ok((report, findings))
}

/// HOOK for the catalog rules (branch `catalog`): when merged, this becomes
/// `crate::inspect::run(&database.client, config)`, run on the applied database before it
/// is dropped.
async fn catalog_findings(_database: &Database, _config: &Config) -> Vec<Finding> {
    Vec::new()
}
