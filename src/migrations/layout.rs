//! Migration folder layouts: how each tool names, orders and sections its files.

use super::version::{compare_numeric, leading_digits};
use regex::Regex;
use serde::{Deserialize, Serialize};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Layout {
    Supabase,
    Flyway,
    GolangMigrate,
    Dbmate,
    Goose,
    Prisma,
    Sqitch,
    Plain,
}

impl Layout {
    pub fn as_str(self) -> &'static str {
        match self {
            Layout::Supabase => "supabase",
            Layout::Flyway => "flyway",
            Layout::GolangMigrate => "golang-migrate",
            Layout::Dbmate => "dbmate",
            Layout::Goose => "goose",
            Layout::Prisma => "prisma",
            Layout::Sqitch => "sqitch",
            Layout::Plain => "plain",
        }
    }
}

/// What a file is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Applied once, in version order.
    Versioned,
    /// Applied after all versioned ones (Flyway `R__`).
    Repeatable,
    /// A down/undo/revert script: parsed and linted, never applied.
    Down,
    /// Named so that the migration tool skips it: parsed and linted, never applied.
    Skipped,
}

/// A file of the folder, placed by its layout.
#[derive(Debug, Clone)]
pub struct Entry {
    pub path: PathBuf,
    pub version: Option<String>,
    pub name: String,
    pub role: Role,
}

/// The result of listing a folder.
#[derive(Debug, Default)]
pub struct Listing {
    /// In apply order; down files follow their up files' order.
    pub entries: Vec<Entry>,
    /// `.sql` files the tool would skip because of their names.
    pub misnamed: Vec<PathBuf>,
    /// Sub-folders and other files the layout does not use, with the reason.
    pub ignored: Vec<(PathBuf, String)>,
}

static SUPABASE_NAME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^([0-9]+)_(.*)\.sql$").expect("valid regex"));
static FLYWAY_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:([VU])([0-9][0-9._]*?)|(R))__(.+)\.sql$").expect("valid regex")
});
static GOLANG_MIGRATE_NAME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^([0-9]+)_(.*)\.(up|down)\.sql$").expect("valid regex"));
static VERSIONED_NAME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^([0-9]+)_?(.*)\.sql$").expect("valid regex"));

/// Guesses the layout of a migrations folder from its names and first lines.
pub fn detect(dir: &Path) -> Layout {
    if is_supabase_dir(dir) {
        return Layout::Supabase;
    }
    if dir.join("sqitch.plan").is_file() {
        return Layout::Sqitch;
    }
    let (files, dirs) = read_dir_sorted(dir);
    if dirs.iter().any(|d| d.join("migration.sql").is_file()) {
        return Layout::Prisma;
    }
    let names: Vec<String> = files.iter().map(|f| file_name(f)).collect();
    if names.iter().any(|n| FLYWAY_NAME.is_match(n)) {
        return Layout::Flyway;
    }
    if names.iter().any(|n| GOLANG_MIGRATE_NAME.is_match(n)) {
        return Layout::GolangMigrate;
    }
    for file in files
        .iter()
        .filter(|f| file_name(f).ends_with(".sql"))
        .take(5)
    {
        let head = read_head(file);
        if head.contains("-- migrate:up") {
            return Layout::Dbmate;
        }
        if head.contains("+goose Up") {
            return Layout::Goose;
        }
    }
    Layout::Plain
}

/// A folder named `migrations` inside a folder named `supabase`.
pub fn is_supabase_dir(dir: &Path) -> bool {
    let name = |p: Option<&Path>| p.and_then(|p| p.file_name()).map(|n| n.to_owned());
    let dir = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    name(Some(&dir)).is_some_and(|n| n == "migrations")
        && name(dir.parent()).is_some_and(|n| n == "supabase")
}

fn read_head(path: &Path) -> String {
    use std::io::Read;
    let mut buffer = vec![0u8; 4096];
    let read = fs::File::open(path)
        .and_then(|mut f| f.read(&mut buffer))
        .unwrap_or(0);
    String::from_utf8_lossy(&buffer[..read]).into_owned()
}

pub(crate) fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Files and sub-folders of `dir`, each sorted by name (byte order, as the tools sort).
pub(crate) fn read_dir_sorted(dir: &Path) -> (Vec<PathBuf>, Vec<PathBuf>) {
    let mut files = Vec::new();
    let mut dirs = Vec::new();
    if let Ok(entries) = fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort_by_key(|p| p.file_name().map(|n| n.as_encoded_bytes().to_vec()));
    dirs.sort_by_key(|p| p.file_name().map(|n| n.as_encoded_bytes().to_vec()));
    (files, dirs)
}

/// Lists a folder's migrations in apply order according to `layout`.
pub fn list(dir: &Path, layout: Layout) -> Listing {
    let (files, dirs) = read_dir_sorted(dir);
    let mut listing = Listing::default();
    if layout != Layout::Prisma {
        for sub in &dirs {
            listing.ignored.push((
                sub.clone(),
                format!("sub-folder, not used by {}", layout.as_str()),
            ));
        }
    }
    let sql_files = files
        .iter()
        .filter(|f| file_name(f).to_ascii_lowercase().ends_with(".sql"));
    match layout {
        Layout::Supabase => {
            for file in sql_files {
                let name = file_name(file);
                match SUPABASE_NAME.captures(&name) {
                    Some(c) => listing.entries.push(Entry {
                        path: file.clone(),
                        version: Some(c[1].to_string()),
                        name: c[2].to_string(),
                        role: Role::Versioned,
                    }),
                    None => listing.misnamed.push(file.clone()),
                }
            }
        }
        Layout::Flyway => {
            let mut versioned = Vec::new();
            let mut repeatable = Vec::new();
            for file in sql_files {
                let name = file_name(file);
                let Some(c) = FLYWAY_NAME.captures(&name) else {
                    listing
                        .ignored
                        .push((file.clone(), "not named V<version>__<name>.sql".into()));
                    continue;
                };
                let description = c[4].to_string();
                if c.get(3).is_some() {
                    repeatable.push(Entry {
                        path: file.clone(),
                        version: None,
                        name: description,
                        role: Role::Repeatable,
                    });
                } else {
                    let role = if &c[1] == "U" {
                        Role::Down
                    } else {
                        Role::Versioned
                    };
                    versioned.push(Entry {
                        path: file.clone(),
                        version: Some(c[2].trim_end_matches(['.', '_']).to_string()),
                        name: description,
                        role,
                    });
                }
            }
            sort_by_version(&mut versioned);
            listing.entries = versioned;
            listing.entries.extend(repeatable);
        }
        Layout::GolangMigrate => {
            let mut entries = Vec::new();
            for file in sql_files {
                let name = file_name(file);
                match GOLANG_MIGRATE_NAME.captures(&name) {
                    Some(c) => entries.push(Entry {
                        path: file.clone(),
                        version: Some(c[1].to_string()),
                        name: c[2].to_string(),
                        role: if &c[3] == "up" {
                            Role::Versioned
                        } else {
                            Role::Down
                        },
                    }),
                    None => listing
                        .ignored
                        .push((file.clone(), "not named <version>_<name>.up.sql".into())),
                }
            }
            sort_by_version(&mut entries);
            listing.entries = entries;
        }
        Layout::Dbmate | Layout::Goose | Layout::Plain => {
            let mut entries = Vec::new();
            for file in sql_files {
                let name = file_name(file);
                let entry = match VERSIONED_NAME.captures(&name) {
                    Some(c) => Entry {
                        path: file.clone(),
                        version: Some(c[1].to_string()),
                        name: c[2].to_string(),
                        role: Role::Versioned,
                    },
                    None if layout == Layout::Plain => Entry {
                        path: file.clone(),
                        version: None,
                        name: name.trim_end_matches(".sql").to_string(),
                        role: Role::Versioned,
                    },
                    None => {
                        listing.misnamed.push(file.clone());
                        continue;
                    }
                };
                entries.push(entry);
            }
            // goose orders by the numeric version; dbmate and plain folders by file name.
            if layout == Layout::Goose {
                sort_by_version(&mut entries);
            }
            listing.entries = entries;
        }
        Layout::Prisma => {
            for sub in &dirs {
                let file = sub.join("migration.sql");
                let folder = file_name(sub);
                if file.is_file() {
                    let version = leading_digits(&folder).map(str::to_string);
                    let name = folder
                        .trim_start_matches(|c: char| c.is_ascii_digit())
                        .trim_start_matches('_')
                        .to_string();
                    listing.entries.push(Entry {
                        path: file,
                        version,
                        name,
                        role: Role::Versioned,
                    });
                } else {
                    listing
                        .ignored
                        .push((sub.clone(), "no migration.sql inside".into()));
                }
            }
        }
        Layout::Sqitch => list_sqitch(dir, &mut listing),
    }
    listing
}

/// A stable sort by numeric version; files of equal version keep their name order.
fn sort_by_version(entries: &mut [Entry]) {
    entries.sort_by(|a, b| {
        compare_numeric(
            a.version.as_deref().unwrap_or(""),
            b.version.as_deref().unwrap_or(""),
        )
        .then_with(|| (a.role == Role::Down).cmp(&(b.role == Role::Down)))
    });
}

/// Sqitch: the order of `sqitch.plan`; each change is `deploy/<change>.sql`, its revert
/// script `revert/<change>.sql`.
fn list_sqitch(dir: &Path, listing: &mut Listing) {
    let plan = fs::read_to_string(dir.join("sqitch.plan")).unwrap_or_default();
    let mut seen = std::collections::HashSet::new();
    for line in plan.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with(['%', '#', '@']) {
            continue;
        }
        let Some(change) = line.split_whitespace().next() else {
            continue;
        };
        // A reworked change appears again; its script is the same file.
        if !seen.insert(change.to_string()) {
            continue;
        }
        let deploy = dir.join("deploy").join(format!("{change}.sql"));
        if deploy.is_file() {
            listing.entries.push(Entry {
                path: deploy,
                version: None,
                name: change.to_string(),
                role: Role::Versioned,
            });
        } else {
            listing.ignored.push((
                deploy,
                format!("named by sqitch.plan (change {change}) but missing"),
            ));
        }
        let revert = dir.join("revert").join(format!("{change}.sql"));
        if revert.is_file() {
            listing.entries.push(Entry {
                path: revert,
                version: None,
                name: change.to_string(),
                role: Role::Down,
            });
        }
    }
    listing.ignored.retain(|(p, _)| {
        !(p.ends_with("deploy") || p.ends_with("revert")) || p.extension().is_some()
    });
}

/// Byte ranges of a file's text that apply (up sections), for layouts that section files.
/// `None` means the whole file applies.
pub fn up_sections(layout: Layout, text: &str) -> Option<Vec<std::ops::Range<usize>>> {
    let (up_marker, down_marker): (&str, &str) = match layout {
        Layout::Dbmate => ("-- migrate:up", "-- migrate:down"),
        Layout::Goose => ("+goose Up", "+goose Down"),
        _ => return None,
    };
    let mut sections = Vec::new();
    let mut up_start: Option<usize> = None;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim();
        let is_comment = trimmed.starts_with("--");
        if is_comment && trimmed.contains(up_marker) {
            up_start.get_or_insert(offset + line.len());
        } else if is_comment && trimmed.contains(down_marker) {
            if let Some(start) = up_start.take() {
                sections.push(start..offset);
            }
        }
        offset += line.len();
    }
    if let Some(start) = up_start {
        sections.push(start..text.len());
    }
    Some(sections)
}

/// Layout markers that take a file out of the transaction.
pub fn no_transaction(layout: Layout, text: &str) -> bool {
    match layout {
        Layout::Goose => text.contains("+goose NO TRANSACTION"),
        Layout::Dbmate => text.lines().any(|l| {
            l.trim_start().starts_with("-- migrate:up") && l.contains("transaction:false")
        }),
        _ => false,
    }
}
