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

pub mod git;
pub mod renumber;

use crate::findings::{Finding, Severity, Source, Status};
use crate::migrations::layout::{parse_path, Parsed};
use crate::migrations::version::compare_numeric;
use crate::migrations::{display_path, file_location, Layout, Role};
use crate::rules::registry;
use crate::Failure;
use chrono::NaiveDateTime;
use git::Repo;
use renumber::Renumbering;
use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

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
}

impl Comparison {
    /// Migration files this branch added, changed or deleted. Empty: the branch leaves the
    /// folder as it is on the base, and `check` can pass at once.
    pub fn changed_migrations(&self) -> &[Change] {
        &self.changes
    }
}

/// Marks findings located in files the branch did not touch as [`Status::Existing`]: they
/// are shown, but fail the gate only with `--fail-on-existing`.
pub fn mark_existing(findings: &mut [Finding], comparison: &Comparison) {
    for finding in findings {
        let untouched = finding
            .location
            .as_ref()
            .is_some_and(|l| comparison.unchanged.contains(&l.file));
        if finding.status == Status::New && untouched {
            finding.status = Status::Existing;
        }
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
    let input = Input {
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
    Ok(analyse(&input))
}

/// Files a layout reads (migrations, misnamed `.sql` files, sqitch's plan): the ones
/// whose change matters.
fn is_relevant(layout: Layout, path: &str) -> bool {
    !matches!(parse_path(layout, path), Parsed::Ignored(_))
        || (layout == Layout::Sqitch && path == "sqitch.plan")
}

/// The working tree's relevant files under `root`.
fn read_local(root: &Path, layout: Layout) -> Files {
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

/// Everything the analysis needs, read beforehand: the analysis itself runs no git.
struct Input {
    base: String,
    base_commit: String,
    layout: Layout,
    root: PathBuf,
    /// The folder relative to the repository's top level, for `git checkout` hints.
    repo_folder: String,
    base_files: Files,
    /// At the merge base, when it differs from the base.
    start_files: Option<Files>,
    local_files: Files,
    now: NaiveDateTime,
}

impl Input {
    fn shown(&self, relative: &str) -> String {
        display_path(&self.root.join(relative))
    }

    fn repo_path(&self, relative: &str) -> String {
        if self.repo_folder.is_empty() {
            relative.to_string()
        } else {
            format!("{}/{relative}", self.repo_folder)
        }
    }

    fn start(&self) -> &Files {
        self.start_files.as_ref().unwrap_or(&self.base_files)
    }

    /// Version and role of an applied-kind file.
    fn migration(&self, relative: &str) -> Option<(Option<String>, Role)> {
        match parse_path(self.layout, relative) {
            Parsed::Migration { version, role, .. } => Some((version, role)),
            _ => None,
        }
    }

    fn versioned(&self, relative: &str) -> bool {
        self.migration(relative)
            .is_some_and(|(_, role)| role == Role::Versioned)
    }

    fn version(&self, relative: &str) -> Option<String> {
        self.migration(relative).and_then(|(version, _)| version)
    }

    fn finding(&self, rule: &str, relative: &str, message: String, help: String) -> Finding {
        let shown = self.shown(relative);
        registry::finding(rule, message)
            .with_source(Source::History)
            .with_help(help)
            .with_location(file_location(&shown))
            .finish(relative)
    }
}

/// Equal contents, ignoring CRLF versus LF (a checkout setting, not a change).
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    a == b || strip_cr(a) == strip_cr(b)
}

fn strip_cr(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    for (i, &b) in bytes.iter().enumerate() {
        if !(b == b'\r' && bytes.get(i + 1) == Some(&b'\n')) {
            out.push(b);
        }
    }
    out
}

/// Equal SQL: the same tokens, whatever the whitespace and comments.
fn same_sql(a: &[u8], b: &[u8]) -> bool {
    let (a, b) = (String::from_utf8_lossy(a), String::from_utf8_lossy(b));
    crate::sql::split::tokens(&a) == crate::sql::split::tokens(&b)
}

fn analyse(input: &Input) -> Comparison {
    let (base, start, local) = (&input.base_files, input.start(), &input.local_files);
    let reference = &input.base;

    let mut changes = Vec::new();
    let mut unchanged = BTreeSet::new();
    for (path, content) in local {
        match start.get(path) {
            Some(before) if same_bytes(before, content) => {
                unchanged.insert(input.shown(path));
            }
            Some(_) => changes.push((path.clone(), ChangeKind::Modified)),
            None => changes.push((path.clone(), ChangeKind::Added)),
        }
    }
    for path in start.keys().filter(|p| !local.contains_key(*p)) {
        changes.push((path.clone(), ChangeKind::Deleted));
    }
    changes.sort();

    let base_newest = base
        .keys()
        .filter(|p| input.versioned(p))
        .filter_map(|p| input.version(p).map(|v| (v, p)))
        .max_by(|a, b| compare_numeric(&a.0, &b.0));

    let mut findings = Vec::new();
    let mut deleted: Vec<&String> = base
        .keys()
        .filter(|p| input.versioned(p) && start.contains_key(*p) && !local.contains_key(*p))
        .collect();
    let mut added: Vec<&String> = local
        .keys()
        .filter(|p| input.versioned(p) && !start.contains_key(*p))
        .collect();

    // Renamed: a deleted applied file whose SQL reappears under a new name.
    deleted.retain(|old| {
        let Some(index) = added
            .iter()
            .position(|new| same_sql(&base[*old], &local[*new]))
        else {
            return true;
        };
        let new = added.remove(index);
        let (old_version, new_version) = (input.version(old), input.version(new));
        let consequence = if old_version == new_version {
            "tools that record names or checksums (Flyway, Prisma) will refuse the folder".to_string()
        } else {
            format!(
                "databases that applied it as version {} will apply it again as version {}",
                old_version.as_deref().unwrap_or("?"),
                new_version.as_deref().unwrap_or("?")
            )
        };
        findings.push(input.finding(
            "renamed-applied-migration",
            new,
            format!(
                "`{}` is `{}` renamed, but `{}` is already applied on the base branch `{reference}`; {consequence}",
                input.shown(new),
                input.shown(old),
                input.shown(old)
            ),
            format!("rename it back to `{}`", input.shown(old)),
        ));
        false
    });

    for path in deleted {
        findings.push(input.finding(
            "deleted-applied-migration",
            path,
            format!(
                "`{}` was deleted, but it is applied on the base branch `{reference}`; databases that ran it keep its objects, new environments will not get them, and the migration tool reports it missing",
                input.shown(path)
            ),
            format!(
                "restore it (`git checkout {reference} -- {}`); to undo what it did, add a new migration that reverses it",
                input.repo_path(path)
            ),
        ));
    }

    for path in local
        .keys()
        .filter(|p| base.contains_key(*p) && input.versioned(p))
    {
        let (now, then) = (&local[path], &base[path]);
        let changed_here = start.get(path).is_none_or(|s| !same_bytes(s, now));
        if same_bytes(now, then) || !changed_here {
            continue;
        }
        let restore = format!(
            "restore it (`git checkout {reference} -- {}`) and put the change in a new migration",
            input.repo_path(path)
        );
        let finding = if same_sql(now, then) {
            let mut finding = input.finding(
                "edited-applied-migration",
                path,
                format!(
                    "`{}` is applied on the base branch `{reference}` and only its whitespace or comments changed; harmless to the database, but checksum-based tools (Flyway, Prisma) will refuse the edited file",
                    input.shown(path)
                ),
                restore,
            );
            finding.severity = Severity::Warning;
            finding
        } else {
            input.finding(
                "edited-applied-migration",
                path,
                format!(
                    "`{}` was changed after it was applied on the base branch `{reference}`; databases that already ran it will never run the change",
                    input.shown(path)
                ),
                restore,
            )
        };
        findings.push(finding);
    }

    let renumbering = match &base_newest {
        Some((newest, _)) if renumber::supports(input.layout).is_ok() => {
            let versions: Vec<String> = added.iter().filter_map(|p| input.version(p)).collect();
            renumber::plan(&versions, newest, input.now).unwrap_or_default()
        }
        _ => Vec::new(),
    };
    let renames = renames(input, &renumbering);

    let base_by_version: BTreeMap<String, &String> = base
        .keys()
        .filter(|p| input.versioned(p))
        .filter_map(|p| input.version(p).map(|v| (v, p)))
        .collect();
    for path in &added {
        let Some(version) = input.version(path) else {
            continue;
        };
        let fresh = renames
            .iter()
            .find(|r| r.from == renumber::unit_of(input.layout, path))
            .map(|r| format!("`{}`", input.shown(&r.to)));
        let rename_help = |fresh: &Option<String>| {
            match fresh {
            Some(name) => format!(
                "rename it to {name}; `schemagate fix --renumber --base {reference} --write` renames every such file of this branch"
            ),
            None => "give it a new version after the base's newest".to_string(),
        }
        };
        match base_by_version.get(&version) {
            Some(other) if !local.contains_key(*other) => {
                findings.push(
                    input
                        .finding(
                            "duplicate-version",
                            path,
                            format!(
                                "version {version} of `{}` is also used by `{}` on the base branch `{reference}`; the second to be applied fails (the version is the history's primary key)",
                                input.shown(path),
                                input.shown(other)
                            ),
                            rename_help(&fresh),
                        )
                        .with_object(format!("version {version}"))
                        .finish(""),
                );
                continue;
            }
            Some(other) => {
                // Both files are here (a merge checkout): discovery reports the version on
                // whichever file sorts second; this finding, on the branch's file, replaces
                // it (see `add_findings`).
                findings.push(
                    input
                        .finding(
                            "duplicate-version",
                            path,
                            format!(
                                "version {version} of `{}` is also used by `{}`, which is on the base branch `{reference}`; the second to be applied fails (the version is the history's primary key)",
                                input.shown(path),
                                input.shown(other)
                            ),
                            rename_help(&fresh),
                        )
                        .with_object(format!("version {version}"))
                        .finish(""),
                );
                continue;
            }
            None => {}
        }
        let Some((newest, newest_path)) = &base_newest else {
            continue;
        };
        if compare_numeric(&version, newest) == Ordering::Less {
            findings.push(input.finding(
                "out-of-order-migration",
                path,
                format!(
                    "`{}` (version {version}) is older than the newest migration on the base branch `{reference}` ({newest}, `{}`); `supabase db push` rejects it, and tools that accept it apply it after newer migrations",
                    input.shown(path),
                    input.shown(newest_path)
                ),
                rename_help(&fresh),
            ));
        }
    }

    Comparison {
        base: input.base.clone(),
        base_commit: input.base_commit.clone(),
        base_newest: base_newest.map(|(v, _)| v),
        changes: changes
            .into_iter()
            .map(|(path, kind)| Change {
                path: input.shown(&path),
                kind,
            })
            .collect(),
        unchanged,
        findings,
        renames,
    }
}

/// The branch's files (any role: down files move with their up file) whose versions move.
fn renames(input: &Input, renumbering: &[Renumbering]) -> Vec<Rename> {
    let mut renames: Vec<Rename> = Vec::new();
    for path in input
        .local_files
        .keys()
        .filter(|p| !input.start().contains_key(*p))
    {
        let Some(version) = input.version(path) else {
            continue;
        };
        let Some(step) = renumbering.iter().find(|r| r.from == version) else {
            continue;
        };
        let unit = renumber::unit_of(input.layout, path);
        let Some(to) = renumber::renamed_unit(input.layout, unit, &step.from, &step.to) else {
            continue;
        };
        if !renames.iter().any(|r| r.from == unit) {
            renames.push(Rename {
                from: unit.to_string(),
                to,
            });
        }
    }
    renames
}
