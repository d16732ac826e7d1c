//! `schemagate lint [PATHS…]`: static rules only, no database.

use crate::cli::LintArgs;
use crate::config::Config;
use crate::findings::Finding;
use crate::history::Comparison;
use crate::migrations::{self, MigrationSet};
use crate::postgres::baseline::Baseline;
use crate::report::Report;
use crate::Failure;
use rayon::prelude::*;
use std::path::Path;

pub fn run(args: LintArgs) -> Result<bool, Failure> {
    let mut folders = Vec::new();
    let base = crate::history::base_ref(args.common.base.as_deref())?;
    if base.is_none() && args.common.verbose {
        eprintln!(
            "no base branch (pass --base REF): history checks skipped, every finding counts as new"
        );
    }
    if let Some(path) = args.paths.iter().find(|path| !path.exists()) {
        return Err(Failure::Usage(format!(
            "{} does not exist; pass a migrations folder, a .sql file, or the repository root",
            path.display()
        )));
    }
    let found = args
        .paths
        .par_iter()
        .map(|path| migrations::find_folders(path, args.common.layout))
        .collect::<Result<Vec<_>, _>>()?;
    folders.extend(found.into_iter().flatten());
    let configs = folders
        .iter()
        .map(|folder| super::load_config(folder, &args.common))
        .collect::<Result<Vec<_>, _>>()?;
    // Each folder is linted while the next one is read and parsed, and its syntax trees are
    // dropped before the one after is read: at most two folders' trees at once (a large
    // folder's take tens of MB; all folders in parallel held them all). Within a folder,
    // statements are parsed and rules run in parallel. With a base, each folder is also
    // compared with it (single files are not).
    let shows_sql = std::iter::once(args.common.format)
        .chain(args.common.outputs.iter().map(|output| output.format))
        .any(crate::cli::Format::shows_sql);
    let lint_loaded = |mut set: MigrationSet, folder: &Path, config: &Config| {
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
        if !shows_sql {
            set.release_texts();
        }
        Ok::<_, Failure>((set, findings, comparison))
    };
    let load = |index: usize| {
        let (folder, config) = folders.get(index).zip(configs.get(index))?;
        Some(migrations::load(folder, config.layout))
    };
    let mut linted: Vec<(MigrationSet, Vec<Finding>, Option<Comparison>)> = Vec::new();
    let mut next = load(0);
    for (index, (folder, config)) in folders.iter().zip(&configs).enumerate() {
        let Some(set) = next.take() else { break };
        let (done, loaded) = rayon::join(|| lint_loaded(set, folder, config), || load(index + 1));
        linted.push(done?);
        next = loaded;
    }
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
