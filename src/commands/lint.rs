//! `schemagate lint [PATHS…]`: static rules only, no database.

use crate::cli::LintArgs;
use crate::findings::Finding;
use crate::migrations::{self, MigrationSet};
use crate::report::Report;
use crate::Failure;

pub fn run(args: LintArgs) -> Result<bool, Failure> {
    let mut sets: Vec<MigrationSet> = Vec::new();
    let mut findings: Vec<Finding> = Vec::new();
    for path in &args.paths {
        if !path.exists() {
            return Err(Failure::Usage(format!(
                "{} does not exist; pass a migrations folder, a .sql file, or the repository root",
                path.display()
            )));
        }
        for folder in migrations::find_folders(path) {
            let config = super::load_config(&folder, &args.common)?;
            let set = migrations::load(&folder, config.layout);
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
            findings.extend(crate::lint::lint(&set, &config));
            sets.push(set);
        }
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
