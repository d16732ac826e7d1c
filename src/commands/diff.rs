//! `schemagate diff --base REF [PATH]`: the schema changes from the base branch to this
//! one, from two applied catalogs (see `diff::order`), and the order check that comes with
//! them. Exit 0 unless the gate fails.

use crate::cli::DiffArgs;
use crate::diff::order;
use crate::migrations::{self, MigrationSet};
use crate::postgres;
use crate::postgres::apply::ApplyOptions;
use crate::report::Report;
use crate::Failure;

/// The lock timeout of the applies (the diff has no flag for it: nothing else runs there).
const LOCK_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

pub fn run(args: DiffArgs) -> Result<bool, Failure> {
    if !args.path.exists() {
        return Err(Failure::Usage(format!(
            "{} does not exist; pass a migrations folder or the repository root",
            args.path.display()
        )));
    }
    let base = crate::history::base_ref(args.common.base.as_deref())?.ok_or_else(|| {
        Failure::Usage(
            "diff compares this branch with a base: pass --base REF (a branch, tag or commit, e.g. --base origin/main)"
                .to_string(),
        )
    })?;
    let runtime = super::runtime()?;
    let mut sets: Vec<MigrationSet> = Vec::new();
    let mut findings = Vec::new();
    let mut changes = Vec::new();
    for folder in migrations::find_folders(&args.path, args.common.layout)? {
        if folder.is_file() {
            return Err(Failure::Usage(format!(
                "{} is a file; diff compares a migrations folder with the base",
                folder.display()
            )));
        }
        let config = super::load_config(&folder, &args.common)?;
        let set = migrations::load(&folder, config.layout);
        let comparison = crate::history::compare(&folder, set.layout, &base)?;
        let server = args.server.options(&config, LOCK_TIMEOUT);
        let apply = ApplyOptions::new(
            &set,
            args.server.statement_timeout,
            true,
            args.server.baseline(&config)?,
        );
        let started = std::time::Instant::now();
        let outcome = runtime.block_on(async {
            let database = postgres::open(&server).await?;
            let folders = crate::diff::base::materialize(&folder, set.layout, &comparison)?;
            order::order_check(&database, &server, &folders, &apply, None).await
        })?;
        let shown = migrations::display_path(&set.root);
        if args.common.verbose {
            eprintln!(
                "{shown}: compared with {} ({}) in {} ms",
                comparison.base,
                crate::history::git::short_commit(&comparison.base_commit),
                started.elapsed().as_millis()
            );
        }
        for note in &outcome.notes {
            if !args.common.quiet {
                eprintln!("note: {shown}: {note}");
            }
        }
        changes.extend(outcome.changes.unwrap_or_default());
        // Levels and suppressions apply to the order and lock trace findings; problems with the
        // suppressions themselves (unused ones: no static rule ran here) are lint's to report.
        let mut finalized = crate::lint::finalize(&set, &config, outcome.findings);
        finalized.retain(|f| {
            f.rule == crate::rules::registry::ORDER_DEPENDENT_SCHEMA.id
                || crate::rules::trace::is_trace_rule(&f.rule)
        });
        findings.extend(finalized);
        sets.push(set);
    }
    crate::findings::sort_findings(&mut findings);
    let report = Report {
        command: "diff",
        sets: &sets,
        findings,
        fail_on: args.common.fail_on,
        fail_on_existing: args.common.fail_on_existing,
        status: None,
        apply: Vec::new(),
        changes: Some(changes),
    };
    super::emit(&report, &args.common)
}
