//! Which migrations folders a path given on the command line means (docs/discovery.md):
//! a file is linted on its own; a migrations folder is itself; any other folder is searched
//! for every layout's folders, at any depth, skipping what is vendored, built, hidden or
//! ignored by `.gitignore`.

use super::layout::{is_migrations_folder, Layout};
use crate::Failure;
use std::path::{Path, PathBuf};

/// How deep below the given folder migrations are looked for: deep enough for Java's
/// `api/src/main/resources/<app>/db/migration`.
const MAX_DEPTH: usize = 10;

/// Folders that hold dependencies, build output or caches, never a project's migrations.
const SKIPPED: &[&str] = &[
    "node_modules",
    "target",
    "vendor",
    "third_party",
    "dist",
    "build",
    "out",
    "bower_components",
    "__pycache__",
    "venv",
];

/// The migrations folders for `path`, sorted. No folder at all, or a folder that cannot be
/// read, is a usage error that says what was searched. With a `layout` given, a folder that
/// holds SQL files is taken as the migrations folder it names.
pub fn find_folders(path: &Path, layout: Option<Layout>) -> Result<Vec<PathBuf>, Failure> {
    if path.is_file() {
        return Ok(vec![path.to_path_buf()]);
    }
    if let Err(error) = std::fs::read_dir(path) {
        return Err(Failure::Usage(format!(
            "cannot read {}: {error}; pass a readable migrations folder or repository root",
            path.display()
        )));
    }
    // With a layout, a folder of SQL files is that layout's folder; a folder without any
    // (a repository root given with `--layout supabase`) is searched like any other, and
    // is itself when nothing is found below it (a project with no migration yet).
    if is_migrations_folder(path) || (layout.is_some() && has_sql_files(path)) {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut found = Vec::new();
    let mut unreadable = Vec::new();
    let walker = ignore::WalkBuilder::new(path)
        .max_depth(Some(MAX_DEPTH))
        .hidden(false)
        .parents(true)
        .require_git(false)
        .filter_entry(|entry| {
            let name = entry.file_name().to_string_lossy();
            entry.depth() == 0 || !(name.starts_with('.') || SKIPPED.contains(&name.as_ref()))
        })
        .build();
    for entry in walker {
        match entry {
            Ok(entry) => {
                let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
                if is_dir && entry.depth() > 0 && is_migrations_folder(entry.path()) {
                    // `./supabase/migrations` as `supabase/migrations`: every report names
                    // files from here.
                    let folder = entry.into_path();
                    found.push(match folder.strip_prefix(".") {
                        Ok(below) => below.to_path_buf(),
                        Err(_) => folder,
                    });
                }
            }
            Err(error) => unreadable.push(error.to_string()),
        }
    }
    if let Some(error) = unreadable.first() {
        return Err(Failure::Usage(format!(
            "cannot read everything below {}: {error}; fix the permissions, or pass the migrations folder itself",
            path.display()
        )));
    }
    if found.is_empty() && layout.is_some() {
        return Ok(vec![path.to_path_buf()]);
    }
    found.sort();
    // A layout's own sub-folders (Prisma's per-migration folders, sqitch's deploy/) are
    // part of the folder found above them.
    let nested: Vec<PathBuf> = found
        .iter()
        .filter(|f| {
            found
                .iter()
                .any(|other| *f != other && f.starts_with(other))
        })
        .cloned()
        .collect();
    found.retain(|f| !nested.contains(f));
    if found.is_empty() {
        if has_sql_files(path) {
            // A folder of .sql files with no layout's names: a plain folder.
            return Ok(vec![path.to_path_buf()]);
        }
        return Err(Failure::Usage(format!(
            "no migrations found in {}: searched (up to {MAX_DEPTH} levels, skipping hidden, vendored, build and .gitignore'd folders) for supabase/migrations, Flyway V<n>__<name>.sql files, golang-migrate <n>_<name>.up.sql files, dbmate and goose annotations, Prisma migrations/<name>/migration.sql, sqitch.plan, and migrations/migration/migrate folders of numbered .sql files; pass the migrations folder itself (with --layout plain for any folder of .sql files)",
            path.display()
        )));
    }
    Ok(found)
}

fn has_sql_files(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|entries| {
        entries.flatten().any(|e| {
            e.path().is_file()
                && e.file_name()
                    .to_string_lossy()
                    .to_ascii_lowercase()
                    .ends_with(".sql")
        })
    })
}
