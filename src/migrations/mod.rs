//! Discovery: which folders hold migrations, which files they contain, in which order,
//! and each file's text parsed into statements.

mod discover;
pub mod layout;
pub mod version;

use crate::findings::{Finding, Location};
use crate::rules::{registry, RuleMeta};
use crate::sql::{self, SourceText, Statement, Suppressions};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub use discover::find_folders;
pub use layout::{Layout, Role};

/// Files larger than this are reported, not read: no migration is this large by intent.
pub const MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;

/// One migration file, read and parsed.
#[derive(Debug)]
pub struct Migration {
    /// As shown to users: relative to the working directory where possible.
    pub path: String,
    pub abs_path: PathBuf,
    pub version: Option<String>,
    pub name: String,
    pub role: Role,
    /// `None` when the file could not be read as text (a finding says why).
    pub source: Option<SourceText>,
    pub statements: Vec<Statement>,
    pub suppressions: Suppressions,
    /// The layout asked for this file to run outside a transaction.
    pub no_transaction: bool,
}

impl Migration {
    pub fn applies(&self) -> bool {
        matches!(self.role, Role::Versioned | Role::Repeatable) && self.source.is_some()
    }

    /// The location of a byte span of this file.
    pub fn location(&self, span: &std::ops::Range<usize>) -> Location {
        match &self.source {
            Some(source) => source.location(&self.path, span),
            None => file_location(&self.path),
        }
    }

    /// The location of a whole statement, from its first to its last character.
    pub fn statement_location(&self, statement: &Statement) -> Location {
        self.location(&statement.span)
    }

    /// The location of one element of `statement` (a column, a constraint, a policy
    /// clause) from the span sqlparser gives it in the statement's own tree: lines and
    /// columns relative to the statement's text. The whole statement when the span is empty
    /// or does not fit in it (a tree parsed from other text).
    pub fn element_location(
        &self,
        statement: &Statement,
        span: sqlparser::tokenizer::Span,
    ) -> Location {
        let text = self
            .source
            .as_ref()
            .and_then(|source| source.text.get(statement.span.clone()));
        let offset = |at: sqlparser::tokenizer::Location| {
            text.and_then(|text| sql::offset_in(text, at.line, at.column))
        };
        match (offset(span.start), offset(span.end)) {
            (Some(start), Some(end)) if start < end => {
                let (start, end) = text.map_or((start, end), |text| {
                    sql::balance_parentheses(text, start, end)
                });
                let base = statement.span.start;
                self.location(&(base + start..base + end))
            }
            _ => self.statement_location(statement),
        }
    }
}

/// Line 1 of a file, for findings about the file as a whole.
pub fn file_location(path: &str) -> Location {
    Location {
        file: path.to_string(),
        line: 1,
        column: 1,
        end_line: 1,
        end_column: 1,
    }
}

/// A migrations folder and its files in apply order (down and skipped files last).
#[derive(Debug)]
pub struct MigrationSet {
    pub root: PathBuf,
    pub layout: Layout,
    pub migrations: Vec<Migration>,
    /// Files and folders the layout does not use, with the reason (shown with `-v`).
    pub ignored: Vec<(String, String)>,
    /// Findings about discovery and the files themselves (names, versions, encodings).
    pub findings: Vec<Finding>,
}

impl MigrationSet {
    /// The files that would be applied, in order.
    pub fn applied(&self) -> impl Iterator<Item = &Migration> {
        self.migrations.iter().filter(|m| m.applies())
    }

    /// Drops the syntax trees once every stage that reads them is done: they take about
    /// twenty times the memory of the text, and reports need only the text. Freeing a large
    /// folder's trees takes a twentieth of a lint, so it runs on every core.
    pub fn release_syntax_trees(&mut self) {
        use rayon::prelude::*;
        self.migrations.par_iter_mut().for_each(|migration| {
            for statement in &mut migration.statements {
                if let sql::Parsed::Ast(_) | sql::Parsed::Compact(_) = statement.parsed {
                    statement.parsed = sql::Parsed::Released;
                }
            }
        });
    }

    /// Drops the files' text once nothing will show SQL any more (a report with no
    /// excerpts: `cli::Format::shows_sql`): locations, counts and fingerprints are already
    /// made. Statement spans then point into nothing; only counts and roles stay.
    pub fn release_texts(&mut self) {
        for source in self.migrations.iter_mut().filter_map(|m| m.source.as_mut()) {
            source.release();
        }
    }

    pub fn statement_count(&self) -> usize {
        self.migrations.iter().map(|m| m.statements.len()).sum()
    }

    pub fn parsed_count(&self) -> usize {
        self.migrations
            .iter()
            .flat_map(|m| &m.statements)
            .filter(|s| s.is_parsed())
            .count()
    }
}

/// Shows `path` relative to the working directory when it lies below it.
pub fn display_path(path: &Path) -> String {
    shown_from(path, std::env::current_dir().ok().as_deref())
}

/// [`display_path`] with the working directory already asked for.
fn shown_from(path: &Path, cwd: Option<&Path>) -> String {
    let shown = cwd
        .and_then(|cwd| path.strip_prefix(cwd).ok())
        .unwrap_or(path);
    shown.to_string_lossy().into_owned()
}

/// Lists, reads and parses one migrations folder (or a single file).
pub fn load(path: &Path, layout: Option<Layout>) -> MigrationSet {
    load_as(path, layout, path)
}

/// [`load`], showing the files as if the folder were at `shown_root` (the base branch's
/// copy of a folder names the files people know, and its findings are comparable).
pub fn load_as(path: &Path, layout: Option<Layout>, shown_root: &Path) -> MigrationSet {
    let show = Shown::new(path, shown_root);
    let root = path.to_path_buf();
    if path.is_file() {
        let layout = layout.unwrap_or(Layout::Plain);
        let entry = layout::Entry {
            path: root.clone(),
            version: None,
            name: layout::file_name(path),
            role: Role::Versioned,
        };
        return assemble(&show, layout, vec![entry], Vec::new(), Vec::new());
    }
    let layout = layout.unwrap_or_else(|| layout::detect(path));
    let listing = layout::list(path, layout);
    let ignored = listing
        .ignored
        .iter()
        .map(|(p, why)| (show.path(p), why.clone()))
        .collect();
    let mut set = assemble(&show, layout, listing.entries, listing.misnamed, ignored);
    for (file, why) in &listing.unreadable {
        let path = show.path(file);
        set.findings.push(
            registry::finding(registry::UNREADABLE_FILE, format!("`{path}`: {why}"))
                .with_help("restore the file (a missing deploy script: or remove its change from sqitch.plan)")
                .with_location(file_location(&path))
                .finish(&path),
        );
    }
    set
}

/// Reads and parses `files`, in this order, as one set of plain SQL files that all apply
/// (declarative schema files: no versions, no layout), `root` being the folder they
/// belong to, shown as if it were at `shown_root` (as [`load_as`]).
pub fn load_files(root: &Path, files: &[PathBuf], shown_root: &Path) -> MigrationSet {
    let show = Shown::new(root, shown_root);
    let entries = files
        .iter()
        .map(|path| layout::Entry {
            path: path.clone(),
            version: None,
            name: layout::file_name(path),
            role: Role::Versioned,
        })
        .collect();
    assemble(&show, Layout::Plain, entries, Vec::new(), Vec::new())
}

/// How the files of a folder are named to users.
struct Shown<'a> {
    root: &'a Path,
    shown_root: &'a Path,
    /// Asked once per folder, not once per file.
    cwd: Option<PathBuf>,
}

impl<'a> Shown<'a> {
    fn new(root: &'a Path, shown_root: &'a Path) -> Shown<'a> {
        Shown {
            root,
            shown_root,
            cwd: std::env::current_dir().ok(),
        }
    }

    fn path(&self, path: &Path) -> String {
        let cwd = self.cwd.as_deref();
        match path.strip_prefix(self.root) {
            Ok(relative) if self.root != self.shown_root => {
                shown_from(&self.shown_root.join(relative), cwd)
            }
            _ => shown_from(path, cwd),
        }
    }
}

fn assemble(
    show: &Shown,
    layout: Layout,
    entries: Vec<layout::Entry>,
    misnamed: Vec<PathBuf>,
    ignored: Vec<(String, String)>,
) -> MigrationSet {
    let skipped = misnamed.iter().map(|path| layout::Entry {
        path: path.clone(),
        version: None,
        name: layout::file_name(path),
        role: Role::Skipped,
    });
    let loaded: Vec<(Migration, Vec<Finding>)> = entries
        .into_iter()
        .chain(skipped)
        .collect::<Vec<_>>()
        .into_par_iter()
        .map(|entry| read_migration(entry, layout, show))
        .collect();
    let mut findings = Vec::new();
    let mut migrations = Vec::with_capacity(loaded.len());
    for (migration, file_findings) in loaded {
        findings.extend(file_findings);
        migrations.push(migration);
    }
    // Down and skipped files come last: they never run in a forward apply.
    migrations.sort_by_key(|m| !matches!(m.role, Role::Versioned | Role::Repeatable));
    for file in &misnamed {
        let path = show.path(file);
        let expected = match layout {
            Layout::Supabase => "<digits>_<name>.sql",
            _ => "<version>_<name>.sql",
        };
        findings.push(
            registry::finding(
                registry::INVALID_MIGRATION_NAME,
                format!("`{path}` does not match {expected}; the migration tool skips it without a word"),
            )
            .with_help(format!(
                "rename it to {expected} with a version after the file it depends on, or move it out of the migrations folder"
            ))
            .with_location(file_location(&path))
            .finish(&path),
        );
    }
    findings.extend(version_findings(&migrations, layout));
    MigrationSet {
        root: show.root.to_path_buf(),
        layout,
        migrations,
        ignored,
        findings,
    }
}

fn read_migration(entry: layout::Entry, layout: Layout, show: &Shown) -> (Migration, Vec<Finding>) {
    let path = show.path(&entry.path);
    let mut findings = Vec::new();
    let mut migration = Migration {
        path: path.clone(),
        abs_path: entry.path.clone(),
        version: entry.version,
        name: entry.name,
        role: entry.role,
        source: None,
        statements: Vec::new(),
        suppressions: Suppressions::default(),
        no_transaction: false,
    };
    let input_finding = |rule: &'static RuleMeta, message: String, help: &str| {
        registry::finding(rule, message)
            .with_help(help)
            .with_location(file_location(&path))
            .finish(&path)
    };
    let size = std::fs::metadata(&entry.path).map(|m| m.len()).unwrap_or(0);
    if size > MAX_FILE_BYTES {
        findings.push(input_finding(
            registry::UNREADABLE_FILE,
            format!("`{path}` is {size} bytes, more than schemagate reads ({MAX_FILE_BYTES})"),
            "split the file, or move generated data out of the migrations folder",
        ));
        return (migration, findings);
    }
    let bytes = match std::fs::read(&entry.path) {
        Ok(bytes) => bytes,
        Err(error) => {
            findings.push(input_finding(
                registry::UNREADABLE_FILE,
                format!("cannot read `{path}`: {error}"),
                "check the file's permissions",
            ));
            return (migration, findings);
        }
    };
    if bytes.contains(&0) {
        findings.push(input_finding(
            registry::UNREADABLE_FILE,
            format!("`{path}` contains NUL bytes: it is binary, not SQL"),
            "PostgreSQL cannot run a file with NUL bytes; remove it or replace it with the SQL it should contain",
        ));
        return (migration, findings);
    }
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(error) => {
            let offset = error.utf8_error().valid_up_to();
            let prefix =
                SourceText::new(String::from_utf8_lossy(&error.as_bytes()[..offset]).into_owned());
            let (line, column) = prefix.line_col(offset);
            findings.push(
                registry::finding(
                    registry::INVALID_UTF8,
                    format!("`{path}` is not valid UTF-8 (first bad byte at line {line}, column {column})"),
                )
                .with_help("PostgreSQL databases use UTF-8; re-save the file as UTF-8 (e.g. `iconv -f latin1 -t utf-8`)")
                .with_location(Location { file: path.clone(), line, column, end_line: line, end_column: column })
                .finish(&path),
            );
            return (migration, findings);
        }
    };
    let source = SourceText::new(text);
    let sections = layout::up_sections(layout, &source.text);
    let is_down = matches!(migration.role, Role::Down | Role::Skipped);
    let (statements, unterminated) = sql::parse_text(&source, |offset| {
        !is_down
            && sections
                .as_ref()
                .is_none_or(|ranges| ranges.iter().any(|r| r.contains(&offset)))
    });
    if let Some(open) = unterminated {
        let span = open.opened_at..open.opened_at + 1;
        findings.push(
            registry::finding(
                registry::UNTERMINATED_STATEMENT,
                format!(
                    "{} opened here is never closed; everything after it is one statement",
                    open.what
                ),
            )
            .with_help(
                "close it (for dollar quotes, the closing tag must match the opening one exactly)",
            )
            .with_location(source.location(&path, &span))
            .finish(&source.text[open.opened_at..]),
        );
    }
    if statements.is_empty() && migration.role == Role::Versioned {
        findings.push(input_finding(
            registry::EMPTY_MIGRATION,
            format!("`{path}` contains no SQL statement"),
            "delete the file, or add the statements it was meant to contain",
        ));
    }
    migration.no_transaction = layout::no_transaction(layout, &source.text)
        || layout::script_config_no_transaction(layout, &migration.abs_path);
    migration.suppressions = Suppressions::collect(&source, &statements);
    migration.statements = statements;
    migration.source = Some(source);
    (migration, findings)
}

/// `duplicate-version` over the applied files, and `mixed-version-widths` for layouts that
/// order by file name (where widths decide the order).
fn version_findings(migrations: &[Migration], layout: Layout) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut by_version: BTreeMap<&str, Vec<&Migration>> = BTreeMap::new();
    for migration in migrations.iter().filter(|m| m.role == Role::Versioned) {
        if let Some(version) = &migration.version {
            by_version.entry(version).or_default().push(migration);
        }
    }
    for (version, files) in &by_version {
        for duplicate in files.iter().skip(1) {
            findings.push(
                registry::finding(
                    registry::DUPLICATE_VERSION,
                    format!(
                        "version {version} is used by `{}` and `{}`; the second one fails to apply (the version is the history's primary key)",
                        files[0].path, duplicate.path
                    ),
                )
                .with_help("give one of them a new, unique version (e.g. a fresh timestamp) that keeps the intended order")
                .with_location(file_location(&duplicate.path))
                .with_object(format!("version {version}"))
                .finish(""),
            );
        }
    }
    let mut widths: BTreeMap<usize, &Migration> = BTreeMap::new();
    for (version, files) in &by_version {
        widths.entry(version.len()).or_insert(files[0]);
    }
    let ordered_by_name = matches!(layout, Layout::Supabase | Layout::Dbmate | Layout::Plain);
    if ordered_by_name && widths.len() > 1 {
        let examples: Vec<String> = widths
            .iter()
            .map(|(width, m)| format!("{width} digits (`{}`)", m.path))
            .collect();
        let last = widths.values().last().expect("more than one width");
        findings.push(
            registry::finding(
                registry::MIXED_VERSION_WIDTHS,
                format!(
                    "versions have different widths: {}; ordering by name and by number disagree",
                    examples.join(", ")
                ),
            )
            .with_help("use one version format for every file (Supabase: a 14-digit timestamp YYYYMMDDHHMMSS)")
            .with_location(file_location(&last.path))
            .finish("mixed-version-widths"),
        );
    }
    findings
}
