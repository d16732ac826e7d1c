//! `schemagate lint [PATHS…]`: static rules only, no database.

use crate::cli::LintArgs;
use crate::findings::Finding;
use crate::migrations::{self, MigrationSet};
use crate::report::Report;
use crate::Failure;

pub fn run(args: LintArgs) -> Result<bool, Failure> {
    let mut sets: Vec<MigrationSet> = Vec::new();
    let mut findings: Vec<Finding> = Vec::new();
    let base = crate::history::base_ref(args.common.base.as_deref());
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
            let comparison = match &base {
                Some(base) if !folder.is_file() => {
                    Some(crate::history::compare(&folder, set.layout, base)?)
                }
                Some(_) if args.common.verbose => {
                    eprintln!("  a single file: not compared with the base");
                    None
                }
                _ => None,
            };
            let model = crate::model::Model::build(&set);
            let mut raw = crate::lint::run_static_rules(&set, &model, &config);
            if let Some(comparison) = &comparison {
                crate::history::add_findings(&mut raw, comparison);
            }
            let mut folder_findings = crate::lint::finalize(&set, &config, raw);
            if let Some(comparison) = &comparison {
                crate::history::mark_existing(&mut folder_findings, comparison);
                if args.common.verbose {
                    eprintln!(
                        "  base {} ({}): {} migration files changed",
                        comparison.base,
                        &comparison.base_commit[..comparison.base_commit.len().min(12)],
                        comparison.changed_migrations().len()
                    );
                }
            }
            findings.extend(folder_findings);
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
        fail_on_existing: args.common.fail_on_existing,
    };
    Ok(super::emit(&report, &args.common))
}
