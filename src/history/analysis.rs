//! The comparison proper, over file contents read beforehand: which files the branch
//! changed, and the history findings. Runs no git, so every case is plain data.

use super::renumber::{self, Renumbering};
use super::{Change, ChangeKind, Comparison, Files, Rename};
use crate::findings::{Finding, Severity, Source};
use crate::migrations::layout::{parse_path, Parsed};
use crate::migrations::version::compare_numeric;
use crate::migrations::{display_path, file_location, Layout, Role};
use crate::rules::registry;
use chrono::NaiveDateTime;
use std::cmp::Ordering;
use std::collections::BTreeSet;
use std::path::PathBuf;

/// The three states of a migrations folder, and how to name things in messages.
pub(super) struct Input {
    /// The base as given (for messages) and the commit it names.
    pub base: String,
    pub base_commit: String,
    pub layout: Layout,
    pub root: PathBuf,
    /// The folder relative to the repository's top level, for `git checkout` hints.
    pub repo_folder: String,
    pub base_files: Files,
    /// At the merge base, when it differs from the base.
    pub start_files: Option<Files>,
    pub local_files: Files,
    pub now: NaiveDateTime,
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

    /// Where the branch started.
    fn start(&self) -> &Files {
        self.start_files.as_ref().unwrap_or(&self.base_files)
    }

    fn migration(&self, relative: &str) -> Option<(Option<String>, Role)> {
        match parse_path(self.layout, relative) {
            Parsed::Migration { version, role, .. } => Some((version, role)),
            _ => None,
        }
    }

    /// Applied once, in version order (not a down or repeatable script).
    fn versioned(&self, relative: &str) -> bool {
        self.migration(relative)
            .is_some_and(|(_, role)| role == Role::Versioned)
    }

    fn version(&self, relative: &str) -> Option<String> {
        self.migration(relative).and_then(|(version, _)| version)
    }

    /// The base's applied files with their versions.
    fn base_versions(&self) -> impl Iterator<Item = (String, &String)> {
        self.base_files
            .keys()
            .filter(|p| self.versioned(p))
            .filter_map(|p| self.version(p).map(|v| (v, p)))
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

pub(super) fn analyse(input: &Input) -> Comparison {
    let (changes, unchanged) = changes(input);
    let base_newest = input
        .base_versions()
        .max_by(|a, b| compare_numeric(&a.0, &b.0));
    let mut findings = Vec::new();
    let added = renamed_and_deleted(input, &mut findings);
    edited(input, &mut findings);
    let renumbering = match &base_newest {
        Some((newest, _)) if renumber::supports(input.layout).is_ok() => {
            let versions: Vec<String> = added.iter().filter_map(|p| input.version(p)).collect();
            renumber::plan(&versions, newest, input.now).unwrap_or_default()
        }
        _ => Vec::new(),
    };
    let renames = renames(input, &renumbering);
    misordered(input, &added, base_newest.as_ref(), &renames, &mut findings);
    Comparison {
        base: input.base.clone(),
        base_commit: input.base_commit.clone(),
        base_newest: base_newest.map(|(version, _)| version),
        changes,
        unchanged,
        findings,
        renames,
        start_files: input.start_files.clone(),
    }
}

/// Every relevant file the branch added, changed or deleted, and the ones it left alone.
fn changes(input: &Input) -> (Vec<Change>, BTreeSet<String>) {
    let (start, local) = (input.start(), &input.local_files);
    let mut changes = Vec::new();
    let mut unchanged = BTreeSet::new();
    for (path, content) in local {
        match start.get(path) {
            Some(before) if same_bytes(before, content) => {
                unchanged.insert(input.shown(path));
            }
            Some(_) => changes.push((path, ChangeKind::Modified)),
            None => changes.push((path, ChangeKind::Added)),
        }
    }
    for path in start.keys().filter(|p| !local.contains_key(*p)) {
        changes.push((path, ChangeKind::Deleted));
    }
    changes.sort();
    let changes = changes
        .into_iter()
        .map(|(path, kind)| Change {
            path: input.shown(path),
            kind,
        })
        .collect();
    (changes, unchanged)
}

/// `deleted-applied-migration` and `renamed-applied-migration` (a deleted file whose SQL
/// reappears under a new name). Returns the files the branch added, renames excluded.
fn renamed_and_deleted<'a>(input: &'a Input, findings: &mut Vec<Finding>) -> Vec<&'a String> {
    let (base, start, local) = (&input.base_files, input.start(), &input.local_files);
    let reference = &input.base;
    let mut added: Vec<&String> = local
        .keys()
        .filter(|p| input.versioned(p) && !start.contains_key(*p))
        .collect();
    let deleted = base
        .keys()
        .filter(|p| input.versioned(p) && start.contains_key(*p) && !local.contains_key(*p));
    for old in deleted {
        let renamed_to = added
            .iter()
            .position(|new| same_sql(&base[old], &local[*new]))
            .map(|index| added.remove(index));
        let Some(new) = renamed_to else {
            findings.push(input.finding(
                "deleted-applied-migration",
                old,
                format!(
                    "`{}` was deleted, but it is applied on the base branch `{reference}`; databases that ran it keep its objects, new environments will not get them, and the migration tool reports it missing",
                    input.shown(old)
                ),
                format!(
                    "restore it (`git checkout {reference} -- {}`); to undo what it did, add a new migration that reverses it",
                    input.repo_path(old)
                ),
            ));
            continue;
        };
        let (old_version, new_version) = (input.version(old), input.version(new));
        let consequence = if old_version == new_version {
            "tools that record names or checksums (Flyway, Prisma) will refuse the folder"
                .to_string()
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
    }
    added
}

/// `edited-applied-migration`: a warning when only whitespace and comments changed.
fn edited(input: &Input, findings: &mut Vec<Finding>) {
    let (base, start, local) = (&input.base_files, input.start(), &input.local_files);
    let reference = &input.base;
    for (path, now) in local {
        let Some(then) = base.get(path).filter(|_| input.versioned(path)) else {
            continue;
        };
        let changed_here = start.get(path).is_none_or(|s| !same_bytes(s, now));
        if same_bytes(now, then) || !changed_here {
            continue;
        }
        let restore = format!(
            "restore it (`git checkout {reference} -- {}`) and put the change in a new migration",
            input.repo_path(path)
        );
        let shown = input.shown(path);
        if same_sql(now, then) {
            let mut finding = input.finding(
                "edited-applied-migration",
                path,
                format!(
                    "`{shown}` is applied on the base branch `{reference}` and only its whitespace or comments changed; harmless to the database, but checksum-based tools (Flyway, Prisma) will refuse the edited file"
                ),
                restore,
            );
            finding.severity = Severity::Warning;
            findings.push(finding);
        } else {
            findings.push(input.finding(
                "edited-applied-migration",
                path,
                format!(
                    "`{shown}` was changed after it was applied on the base branch `{reference}`; databases that already ran it will never run the change"
                ),
                restore,
            ));
        }
    }
}

/// `duplicate-version` (a version a different base file already uses) and
/// `out-of-order-migration` (older than the base's newest) on the files the branch added.
fn misordered(
    input: &Input,
    added: &[&String],
    base_newest: Option<&(String, &String)>,
    renames: &[Rename],
    findings: &mut Vec<Finding>,
) {
    let reference = &input.base;
    let base_by_version: std::collections::BTreeMap<String, &String> =
        input.base_versions().collect();
    for path in added {
        let Some(version) = input.version(path) else {
            continue;
        };
        let help = match renames
            .iter()
            .find(|r| r.from == renumber::unit_of(input.layout, path))
        {
            Some(rename) => format!(
                "rename it to `{}`; `schemagate fix --renumber --base {reference} --write` renames every such file of this branch",
                input.shown(&rename.to)
            ),
            None => "give it a new version after the base's newest".to_string(),
        };
        if let Some(other) = base_by_version.get(&version).filter(|o| **o != *path) {
            // In a merge checkout both files are here and discovery reports the version on
            // whichever sorts second; this finding, on the branch's file, replaces it
            // (`add_findings`).
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
                        help,
                    )
                    .with_object(format!("version {version}"))
                    .finish(""),
            );
            continue;
        }
        let Some((newest, newest_path)) = base_newest else {
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
                help,
            ));
        }
    }
}

/// The branch's files (any role: down files move with their up file) whose versions move.
fn renames(input: &Input, renumbering: &[Renumbering]) -> Vec<Rename> {
    let mut renames: Vec<Rename> = Vec::new();
    let start = input.start();
    for path in input.local_files.keys().filter(|p| !start.contains_key(*p)) {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn files(entries: &[(&str, &str)]) -> Files {
        entries
            .iter()
            .map(|(path, text)| (path.to_string(), text.as_bytes().to_vec()))
            .collect()
    }

    fn input(
        base: &[(&str, &str)],
        start: Option<&[(&str, &str)]>,
        local: &[(&str, &str)],
    ) -> Input {
        Input {
            base: "main".into(),
            base_commit: "0".repeat(40),
            layout: Layout::Supabase,
            root: PathBuf::from("m"),
            repo_folder: "db/m".into(),
            base_files: files(base),
            start_files: start.map(files),
            local_files: files(local),
            now: NaiveDateTime::parse_from_str("20200101000000", "%Y%m%d%H%M%S").unwrap(),
        }
    }

    fn rules(comparison: &Comparison) -> Vec<(&str, Severity)> {
        comparison
            .findings
            .iter()
            .map(|f| (f.rule.as_str(), f.severity))
            .collect()
    }

    #[test]
    fn what_the_base_did_after_the_branch_started_is_not_the_branchs_doing() {
        // The base edited 1 and added 3 since the branch started; the branch changed nothing.
        let comparison = analyse(&input(
            &[("1_a.sql", "select 2;"), ("3_c.sql", "select 3;")],
            Some(&[("1_a.sql", "select 1;")]),
            &[("1_a.sql", "select 1;")],
        ));
        assert!(comparison.findings.is_empty(), "{:?}", comparison.findings);
        assert!(comparison.changed_migrations().is_empty());
        assert!(comparison.unchanged.contains("m/1_a.sql"));
    }

    #[test]
    fn a_file_added_on_both_sides_under_one_name_is_not_its_own_duplicate() {
        let comparison = analyse(&input(
            &[("1_a.sql", "select 1;"), ("2_b.sql", "select 2;")],
            Some(&[("1_a.sql", "select 1;")]),
            &[("1_a.sql", "select 1;"), ("2_b.sql", "select 20;")],
        ));
        assert_eq!(
            rules(&comparison),
            [("edited-applied-migration", Severity::Error)]
        );
        assert!(comparison.findings[0]
            .help
            .as_deref()
            .unwrap()
            .contains("git checkout main -- db/m/2_b.sql"));
    }

    #[test]
    fn down_files_and_unversioned_names_are_not_applied_migrations() {
        let mut setup = input(
            &[("1_a.up.sql", "select 1;"), ("1_a.down.sql", "select 0;")],
            None,
            &[("1_a.up.sql", "select 1;"), ("1_a.down.sql", "select -1;")],
        );
        setup.layout = Layout::GolangMigrate;
        let comparison = analyse(&setup);
        assert!(comparison.findings.is_empty());
        assert_eq!(comparison.changed_migrations().len(), 1);
        assert_eq!(
            comparison.changed_migrations()[0].kind,
            ChangeKind::Modified
        );
    }
}
