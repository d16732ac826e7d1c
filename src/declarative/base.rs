//! The declarative schema files as the base commit has them: its `supabase/config.toml`
//! and `.sql` files (outside `migrations/`) written from git objects to a temporary
//! directory (never a checkout), then listed and loaded as the working tree's are, under
//! the working tree's paths. They tell whether the branch changed a schema file, and the
//! drift the base already had from the drift the branch causes.

use super::Schemas;
use crate::history::git::Repo;
use crate::Failure;
use std::path::{Component, Path};

/// The base commit's schema files of the `supabase` folder `supabase_dir`; `None` when the
/// base has none.
pub fn load(supabase_dir: &Path, commit: &str) -> Result<Option<Schemas>, Failure> {
    let repo = Repo::discover(supabase_dir)?;
    let folder = repo.relative(supabase_dir)?;
    let listing = repo.list_tree(commit, &folder)?;
    let wanted: Vec<(&String, &String)> = listing
        .iter()
        .filter(|(path, _)| {
            path.as_str() == "config.toml"
                || (path.ends_with(".sql") && !path.starts_with("migrations/"))
        })
        .collect();
    let blobs = repo.read_blobs(wanted.iter().map(|(_, id)| *id))?;
    let dir = tempfile::Builder::new()
        .prefix("schemagate-base-schemas-")
        .tempdir()
        .map_err(|e| Failure::Environment(format!("cannot create a temporary directory: {e}")))?;
    let root = dir.path().join("supabase");
    for (relative, id) in wanted {
        // Git never stores `..` or absolute paths; refuse them anyway.
        let safe = Path::new(relative)
            .components()
            .all(|c| matches!(c, Component::Normal(_)));
        let (true, Some(content)) = (safe, blobs.get(id)) else {
            continue;
        };
        let path = root.join(relative);
        path.parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::write(&path, content))
            .map_err(|e| {
                Failure::Environment(format!(
                    "cannot write the base branch's schema files to {}: {e}",
                    path.display()
                ))
            })?;
    }
    let config = root.join("config.toml");
    // A base whose config.toml does not parse has no schema_paths we could honour.
    let schema_paths = if config.is_file() {
        crate::config::supabase_schema_paths(&config).unwrap_or_default()
    } else {
        Vec::new()
    };
    // The files are read into memory: the directory may go.
    Ok(super::load(&root, &schema_paths, supabase_dir))
}
