//! The git-base comparison: what this branch added, changed and deleted in a migrations
//! folder compared with the base branch, and the history findings that follow from it
//! (out-of-order, edited, deleted and renamed applied migrations, versions taken on both
//! sides). Findings on files the branch did not touch become `Existing`.
//!
//! Three states of the folder are compared: the base commit (what is deployed), the merge
//! base of the base and `HEAD` (where the branch started; equal to the base in a pull
//! request's merge checkout) and the working tree. "The branch changed a file" means the
//! working tree differs from the merge base, so a branch that is behind its base is not
//! blamed for what landed on the base since.

mod analysis;
pub mod causation;
pub mod git;
pub mod renumber;

use crate::findings::Finding;
use crate::migrations::layout::{parse_path, Parsed};
use crate::migrations::Layout;
use crate::Failure;
use git::Repo;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// File contents by path relative to the migrations folder (`/`-separated).
pub type Files = BTreeMap<String, Vec<u8>>;

/// The base to compare with: `--base` (or `SCHEMAGATE_BASE`), else in GitHub Actions the
/// pull request's base commit from the event payload, else none.
pub fn base_ref(flag: Option<&str>) -> Option<String> {
    let flag = flag.map(str::trim).filter(|f| !f.is_empty());
    flag.map(str::to_string).or_else(github_base)
}

/// The base commit of the event that started the workflow: `pull_request.base.sha`, or
/// `merge_group.base_sha` in a merge queue. None for other events (a push has no base).
fn github_base() -> Option<String> {
    if std::env::var("GITHUB_ACTIONS").ok()? != "true" {
        return None;
    }
    let path = std::env::var_os("GITHUB_EVENT_PATH")?;
    let event: serde_json::Value = serde_json::from_slice(&std::fs::read(path).ok()?).ok()?;
    ["/pull_request/base/sha", "/merge_group/base_sha"]
        .iter()
        .filter_map(|pointer| event.pointer(pointer)?.as_str())
        .map(str::trim)
        .find(|sha| !sha.is_empty())
        .map(str::to_string)
}

/// What became of a file between the merge base and the working tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ChangeKind {
    Added,
    Modified,
    Deleted,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// As shown to users (like `Migration::path`).
    pub path: String,
    pub kind: ChangeKind,
}

/// A file (or Prisma migration folder) that renumbering renames, relative to the folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rename {
    pub from: String,
    pub to: String,
}

/// The outcome of comparing one migrations folder with the base.
#[derive(Debug, Clone)]
pub struct Comparison {
    /// The base as given (branch, tag or commit) and the commit it names.
    pub base: String,
    pub base_commit: String,
    /// The newest version on the base, if the layout has versions.
    pub base_newest: Option<String>,
    /// Migration files the branch added, changed or deleted, by path.
    pub changes: Vec<Change>,
    /// Migration files (as shown to users) the branch did not touch.
    pub unchanged: BTreeSet<String>,
    /// Raw history findings (levels and suppressions are applied by `lint::finalize`).
    pub findings: Vec<Finding>,
    /// The renames that give the branch's out-of-order migrations fresh versions after the
    /// base's newest, keeping their order (`fix --renumber`).
    pub renames: Vec<Rename>,
    /// The folder's relevant files where the branch started (the merge base), when that
    /// is not the base: the branch is behind its base.
    pub start_files: Option<Files>,
}

impl Comparison {
    /// Migration files this branch added, changed or deleted. Empty: the branch leaves the
    /// folder as it is on the base, and `check` can pass at once.
    pub fn changed_migrations(&self) -> &[Change] {
        &self.changes
    }
}

/// Adds the comparison's findings to a folder's raw findings. A history `duplicate-version`
/// replaces discovery's for the same version: it points at the branch's file, where the
/// fix belongs, rather than at whichever of the two files sorts second.
pub fn add_findings(findings: &mut Vec<Finding>, comparison: &Comparison) {
    let versions: BTreeSet<&Option<String>> = comparison
        .findings
        .iter()
        .filter(|f| f.rule == "duplicate-version")
        .map(|f| &f.object)
        .collect();
    findings.retain(|f| !(f.rule == "duplicate-version" && versions.contains(&f.object)));
    findings.extend(comparison.findings.iter().cloned());
}

/// Compares the migrations folder `root` (laid out as `layout`) with `base`, reading the
/// base's files from git objects.
pub fn compare(root: &Path, layout: Layout, base: &str) -> Result<Comparison, Failure> {
    let repo = Repo::discover(root)?;
    let folder = repo.relative(root)?;
    let base_commit = repo.resolve_commit(base)?;
    let relevant = |listing: git::TreeListing| -> git::TreeListing {
        listing
            .into_iter()
            .filter(|(path, _)| is_relevant(layout, path))
            .collect()
    };
    let base_listing = relevant(repo.list_tree(&base_commit, &folder)?);
    let start_listing = match repo.merge_base(&base_commit, "HEAD") {
        Some(start) if start != base_commit => Some(relevant(repo.list_tree(&start, &folder)?)),
        _ => None,
    };
    let blobs = repo.read_blobs(
        base_listing
            .values()
            .chain(start_listing.iter().flat_map(|l| l.values())),
    )?;
    let contents = |listing: &git::TreeListing| -> Files {
        listing
            .iter()
            .filter_map(|(path, id)| Some((path.clone(), blobs.get(id)?.clone())))
            .collect()
    };
    let input = analysis::Input {
        base: base.to_string(),
        base_commit,
        layout,
        root: root.to_path_buf(),
        repo_folder: folder,
        base_files: contents(&base_listing),
        start_files: start_listing.as_ref().map(contents),
        local_files: read_local(root, layout),
        now: chrono::Utc::now().naive_utc(),
    };
    Ok(analysis::analyse(&input))
}

/// Files a layout reads (migrations, misnamed `.sql` files, sqitch's plan): the ones
/// whose change matters.
fn is_relevant(layout: Layout, path: &str) -> bool {
    !matches!(parse_path(layout, path), Parsed::Ignored(_))
        || (layout == Layout::Sqitch && path == "sqitch.plan")
}

/// The working tree's relevant files under `root`.
pub(crate) fn read_local(root: &Path, layout: Layout) -> Files {
    walkdir::WalkDir::new(root)
        .min_depth(1)
        .max_depth(2)
        .follow_links(true)
        .into_iter()
        .flatten()
        .filter(|entry| entry.file_type().is_file())
        .filter_map(|entry| {
            let relative = entry.path().strip_prefix(root).ok()?;
            let parts: Vec<String> = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            let relative = parts.join("/");
            is_relevant(layout, &relative).then(|| {
                // An unreadable file is reported by discovery; here it counts as changed.
                (relative, std::fs::read(entry.path()).unwrap_or_default())
            })
        })
        .collect()
}
