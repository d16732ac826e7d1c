//! `schemagate lint [PATHS…]`: static rules only, no database.

use crate::cli::LintArgs;
use crate::findings::Finding;
use crate::migrations::{self, MigrationSet};
use crate::report::Report;
use crate::Failure;
use rayon::prelude::*;

pub fn run(args: LintArgs) -> Result<bool, Failure> {
    let mut folders = Vec::new();
    for path in &args.paths {
        if !path.exists() {
            return Err(Failure::Usage(format!(
                "{} does not exist; pass a migrations folder, a .sql file, or the repository root",
                path.display()
            )));
        }
        folders.extend(migrations::find_folders(path));
    }
    let configs = folders
        .iter()
        .map(|folder| super::load_config(folder, &args.common))
        .collect::<Result<Vec<_>, _>>()?;
    // Folders are independent: load and lint them in parallel (files within a folder are
    // read and parsed in parallel too).
    let linted: Vec<(MigrationSet, Vec<Finding>)> = folders
        .par_iter()
        .zip(&configs)
        .map(|(folder, config)| {
            let mut set = migrations::load(folder, config.layout);
            let findings = crate::lint::lint(&set, config);
            set.release_syntax_trees();
            (set, findings)
        })
        .collect();
    let mut sets = Vec::with_capacity(linted.len());
    let mut findings = Vec::new();
    for (set, set_findings) in linted {
        if args.common.verbose {
            eprintln!(
                "{}: {} layout, {} files",
                migrations::display_path(&set.root),
                set.layout.as_str(),
                set.migrations.len()
            );
            for (path, reason) in &set.ignored {
                eprintln!("  ignored {path}: {reason}");
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
        fail_on_existing: false,
    };
    super::emit(&report, &args.common)
}
