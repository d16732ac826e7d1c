//! `schemagate lint [PATHS…]`: static rules only, no database.

use crate::cli::LintArgs;
use crate::findings::Finding;
use crate::history::Comparison;
use crate::migrations::{self, MigrationSet};
use crate::postgres::baseline::Baseline;
use crate::report::Report;
use crate::Failure;

pub fn run(args: LintArgs) -> Result<bool, Failure> {
    let mut folders = Vec::new();
    let base = crate::history::base_ref(args.common.base.as_deref())?;
    if base.is_none() && args.common.verbose {
        eprintln!(
            "no base branch (pass --base REF): history checks skipped, every finding counts as new"
        );
    }
    for path in &args.paths {
        if !path.exists() {
            return Err(Failure::Usage(format!(
                "{} does not exist; pass a migrations folder, a .sql file, or the repository root",
                path.display()
            )));
        }
        folders.extend(migrations::find_folders(path, args.common.layout)?);
    }
    let configs = folders
        .iter()
        .map(|folder| super::load_config(folder, &args.common))
        .collect::<Result<Vec<_>, _>>()?;
    // One folder at a time, its syntax trees dropped before the next is read: folders in
    // parallel held two folders' trees at once, and a large folder's take tens of MB
    // (files within a folder are read and parsed in parallel, and its rules run in
    // parallel).
    // With a base, each folder is also compared with it (single files are not).
    let linted: Vec<(MigrationSet, Vec<Finding>, Option<Comparison>)> = folders
        .iter()
        .zip(&configs)
        .map(|(folder, config)| {
            let mut set = migrations::load(folder, config.layout);
            let comparison = match &base {
                Some(base) if !folder.is_file() => {
                    Some(crate::history::compare(folder, set.layout, base)?)
                }
                _ => None,
            };
            // The configured baseline's objects seed the static model (docs/baselines.md).
            let dump = config
                .baseline
                .as_deref()
                .map(|path| Baseline::load(path, None))
                .transpose()?;
            let dump = dump.as_ref().map(|b| &b.file);
            let findings = match &comparison {
                Some(comparison) => crate::lint::lint_with_base(&set, config, comparison, dump)?,
                None => crate::lint::lint_on(&set, config, dump),
            };
            set.release_syntax_trees();
            Ok((set, findings, comparison))
        })
        .collect::<Result<_, Failure>>()?;
    let mut sets = Vec::with_capacity(linted.len());
    let mut findings = Vec::new();
    for (set, set_findings, comparison) in linted {
        if args.common.verbose {
            super::describe_folder(&set);
            if let Some(comparison) = &comparison {
                eprintln!(
                    "  base {} ({}): {} migration files changed",
                    comparison.base,
                    crate::history::git::short_commit(&comparison.base_commit),
                    comparison.changed_migrations().len()
                );
            }
        }
        findings.extend(set_findings);
        sets.push(set);
    }
    if sets.iter().all(|s| s.migrations.is_empty()) && !args.common.quiet {
        eprintln!("note: no migration files found in the given paths");
    }
    crate::findings::sort_findings(&mut findings);
    let report = Report {
        command: "lint",
        sets: &sets,
        findings,
        fail_on: args.common.fail_on,
        fail_on_existing: args.common.fail_on_existing,
        status: None,
        apply: Vec::new(),
        changes: None,
    };
    super::emit(&report, &args.common)
}
