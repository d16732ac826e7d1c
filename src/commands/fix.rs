//! `schemagate fix --renumber [PATH] --base REF [--write]`: gives this branch's
//! out-of-order migrations fresh versions after the base's newest.

use crate::cli::FixArgs;
use crate::config::{Config, Overrides};
use crate::history::{self, renumber};
use crate::migrations::{self, display_path, layout};
use crate::Failure;

pub fn run(args: FixArgs) -> Result<bool, Failure> {
    if !args.path.exists() {
        return Err(Failure::Usage(format!(
            "{} does not exist; pass the migrations folder or the repository root",
            args.path.display()
        )));
    }
    let Some(base) = history::base_ref(args.base.as_deref()) else {
        return Err(Failure::Usage(
            "fix --renumber needs the base branch to renumber after: pass --base REF (e.g. --base origin/main)".into(),
        ));
    };
    let mut moved = 0;
    for folder in migrations::find_folders(&args.path, args.layout)? {
        let shown = display_path(&folder);
        if folder.is_file() {
            return Err(Failure::Usage(format!(
                "{shown} is a file; fix --renumber works on a migrations folder"
            )));
        }
        let overrides = Overrides {
            config_file: args.config.clone(),
            layout: args.layout,
            ..Overrides::default()
        };
        let config = Config::load(&folder, &overrides).map_err(|error| {
            Failure::Usage(format!(
                "{error}\nfix the file, or pass another with --config"
            ))
        })?;
        let layout = config.layout.unwrap_or_else(|| layout::detect(&folder));
        renumber::supports(layout)
            .map_err(|why| Failure::Usage(format!("cannot renumber {shown}: {why}")))?;
        let comparison = history::compare(&folder, layout, &base)?;
        let misordered = comparison
            .findings
            .iter()
            .any(|f| f.rule == "out-of-order-migration" || f.rule == "duplicate-version");
        if misordered && comparison.renames.is_empty() {
            return Err(Failure::Usage(format!(
                "cannot derive fresh versions after {} in {shown}: rename the out-of-order files by hand",
                comparison.base_newest.as_deref().unwrap_or("the base's newest version")
            )));
        }
        for rename in &comparison.renames {
            let (from, to) = (folder.join(&rename.from), folder.join(&rename.to));
            let (from_shown, to_shown) = (display_path(&from), display_path(&to));
            if args.write {
                if to.exists() {
                    return Err(Failure::Usage(format!(
                        "cannot rename {from_shown}: {to_shown} already exists"
                    )));
                }
                std::fs::rename(&from, &to).map_err(|error| {
                    Failure::Environment(format!(
                        "cannot rename {from_shown} to {to_shown}: {error}"
                    ))
                })?;
                println!("renamed {from_shown} -> {to_shown}");
            } else {
                println!("{from_shown} -> {to_shown}");
            }
            moved += 1;
        }
    }
    if moved == 0 {
        println!(
            "nothing to renumber: every migration this branch adds sorts after {base}'s newest"
        );
    } else if !args.write {
        println!(
            "dry run: pass --write to rename {}",
            crate::report::plural(moved, "file")
        );
    }
    Ok(true)
}
