//! The migrations folder as the base branch has it, and as it will be once this branch is
//! merged, written to a temporary directory from git objects (never a checkout: the
//! working tree and the index are untouched) and loaded with the head folder's layout.

use crate::history::git::Repo;
use crate::history::{ChangeKind, Comparison};
use crate::migrations::{self, display_path, Layout, MigrationSet};
use crate::Failure;
use std::collections::BTreeMap;
use std::path::{Component, Path};

/// The two folders the order check applies, and the temporary directory holding them.
pub struct Folders {
    /// The base commit's folder: what production has applied.
    pub base: MigrationSet,
    /// The base's folder with this branch's additions, edits and deletions: what a fresh
    /// environment applies after the merge (equal to the working tree unless the branch is
    /// behind its base).
    pub merged: MigrationSet,
    /// The folder where the branch started, when the branch is behind its base: findings
    /// it already had are not the branch's doing either.
    pub start: Option<MigrationSet>,
    /// Paths (relative to the folder, `/`-separated) of the files this branch adds.
    pub added: Vec<String>,
    /// Paths of files on the base that this branch edits or deletes.
    pub rewritten: Vec<String>,
    /// The base's Supabase declarative schema files, when it has some (set by `check`):
    /// the drift the base already had is not the branch's.
    pub declarative: Option<crate::declarative::Schemas>,
    _dir: tempfile::TempDir,
}

/// Writes both folders for the head folder `root` compared with the base in `comparison`.
/// Migration paths are shown as the head folder's (`supabase/migrations/x.sql`), so
/// messages name the files people know, even those only the base has.
pub fn materialize(
    root: &Path,
    layout: Layout,
    comparison: &Comparison,
) -> Result<Folders, Failure> {
    let repo = Repo::discover(root)?;
    let folder = repo.relative(root)?;
    let listing = repo.list_tree(&comparison.base_commit, &folder)?;
    let blobs = repo.read_blobs(listing.values())?;
    let base_files: BTreeMap<String, Vec<u8>> = listing
        .iter()
        .filter_map(|(path, id)| Some((path.clone(), blobs.get(id)?.clone())))
        .collect();

    // The branch's changes, by path relative to the folder.
    let shown = |relative: &str| display_path(&root.join(relative));
    let kinds: BTreeMap<&str, ChangeKind> = comparison
        .changes
        .iter()
        .map(|c| (c.path.as_str(), c.kind))
        .collect();
    let mut merged_files = base_files.clone();
    let mut added = Vec::new();
    let mut rewritten = Vec::new();
    for relative in base_files.keys() {
        match kinds.get(shown(relative).as_str()) {
            Some(ChangeKind::Deleted) => {
                merged_files.remove(relative);
                rewritten.push(relative.clone());
            }
            Some(ChangeKind::Modified) => rewritten.push(relative.clone()),
            _ => {}
        }
    }
    for (relative, content) in crate::history::read_local(root, layout) {
        let kind = kinds.get(shown(&relative).as_str());
        if !matches!(kind, Some(ChangeKind::Added | ChangeKind::Modified)) {
            continue;
        }
        if !base_files.contains_key(&relative) {
            added.push(relative.clone());
        }
        merged_files.insert(relative, content);
    }

    let dir = tempfile::Builder::new()
        .prefix("schemagate-base-")
        .tempdir()
        .map_err(|e| Failure::Environment(format!("cannot create a temporary directory: {e}")))?;
    // Keep the folder's own name (`supabase/migrations`), which some layouts look at.
    let leaf = if folder.is_empty() {
        "migrations"
    } else {
        folder.as_str()
    };
    let base = write_and_load(
        &dir.path().join("base").join(leaf),
        &base_files,
        layout,
        root,
    )?;
    let merged = write_and_load(
        &dir.path().join("merged").join(leaf),
        &merged_files,
        layout,
        root,
    )?;
    let start = match &comparison.start_files {
        Some(files) => Some(write_and_load(
            &dir.path().join("start").join(leaf),
            files,
            layout,
            root,
        )?),
        None => None,
    };
    Ok(Folders {
        base,
        start,
        merged,
        added,
        rewritten,
        declarative: None,
        _dir: dir,
    })
}

/// The path of a set's migration relative to its folder, `/`-separated.
pub fn relative_path(set: &MigrationSet, migration: &migrations::Migration) -> String {
    let relative = migration
        .abs_path
        .strip_prefix(&set.root)
        .unwrap_or(&migration.abs_path);
    let parts: Vec<String> = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    parts.join("/")
}

fn write_and_load(
    target: &Path,
    files: &BTreeMap<String, Vec<u8>>,
    layout: Layout,
    shown_root: &Path,
) -> Result<MigrationSet, Failure> {
    for (relative, content) in files {
        // Git never stores `..` or absolute paths; refuse them anyway rather than write
        // outside the temporary directory.
        if !Path::new(relative)
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
        {
            continue;
        }
        let path = target.join(relative);
        let written = path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::write(&path, content));
        written.map_err(|e| {
            Failure::Environment(format!(
                "cannot write the base branch's migrations to {}: {e}",
                path.display()
            ))
        })?;
    }
    std::fs::create_dir_all(target)
        .map_err(|e| Failure::Environment(format!("cannot create {}: {e}", target.display())))?;
    Ok(migrations::load_as(target, Some(layout), shown_root))
}
