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
    /// Files the tool needs but cannot read (a sqitch plan, a planned deploy script):
    /// the tool would fail there. Reported as `unreadable-file`.
    pub unreadable: Vec<(PathBuf, String)>,
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

/// Folder names that hold migrations by convention (`db/migrations`, Flyway's
/// `db/migration`, Rails-style `db/migrate`).
const CONVENTIONAL_NAMES: &[&str] = &["migrations", "migration", "migrate"];

/// Is `dir` a migrations folder of a layout schemagate reads: `supabase/migrations`, a
/// sqitch project, Prisma's `migrations` folder, files named as Flyway or golang-migrate
/// name them, files with dbmate or goose annotations, or a conventionally named folder of
/// versioned `.sql` files?
pub fn is_migrations_folder(dir: &Path) -> bool {
    if is_supabase_dir(dir) || dir.join("sqitch.plan").is_file() {
        return true;
    }
    let conventional = dir
        .file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| CONVENTIONAL_NAMES.contains(&n.to_ascii_lowercase().as_str()));
    let (files, dirs) = read_dir_sorted(dir);
    if conventional && dirs.iter().any(|d| d.join("migration.sql").is_file()) {
        return true;
    }
    let names: Vec<String> = files
        .iter()
        .map(|f| file_name(f))
        .filter(|n| n.to_ascii_lowercase().ends_with(".sql"))
        .collect();
    if names
        .iter()
        .any(|n| FLYWAY_NAME.is_match(n) || GOLANG_MIGRATE_NAME.is_match(n))
    {
        return true;
    }
    if conventional && names.iter().any(|n| VERSIONED_NAME.is_match(n)) {
        return true;
    }
    files
        .iter()
        .filter(|f| file_name(f).to_ascii_lowercase().ends_with(".sql"))
        .take(5)
        .any(|f| {
            let head = read_head(f);
            head.contains("-- migrate:up") || head.contains("+goose Up")
        })
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
            // The entry's type costs no system call; a symbolic link is followed.
            let is_dir = match entry.file_type() {
                Ok(kind) if !kind.is_symlink() => kind.is_dir(),
                _ => path.is_dir(),
            };
            let named = (entry.file_name(), path);
            if is_dir {
                dirs.push(named);
            } else {
                files.push(named);
            }
        }
    }
    // By the names' bytes (`OsStr` compares bytes on Unix), each name taken once.
    let sorted = |mut named: Vec<(std::ffi::OsString, PathBuf)>| {
        named.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        named.into_iter().map(|(_, path)| path).collect()
    };
    (sorted(files), sorted(dirs))
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
        Layout::Supabase
        | Layout::Flyway
        | Layout::GolangMigrate
        | Layout::Dbmate
        | Layout::Goose
        | Layout::Plain => {
            for file in sql_files {
                match parse_path(layout, &file_name(file)) {
                    Parsed::Migration {
                        version,
                        name,
                        role,
                    } => listing.entries.push(Entry {
                        path: file.clone(),
                        version,
                        name,
                        role,
                    }),
                    Parsed::Misnamed => listing.misnamed.push(file.clone()),
                    Parsed::Ignored(reason) => listing.ignored.push((file.clone(), reason.into())),
                }
            }
            // Flyway applies repeatable files after every versioned one; golang-migrate and
            // goose order by the numeric version; dbmate, Supabase and plain folders by name.
            match layout {
                Layout::Flyway | Layout::GolangMigrate | Layout::Goose => {
                    sort_by_version(&mut listing.entries);
                    listing.entries.sort_by_key(|e| e.role == Role::Repeatable);
                }
                _ => {}
            }
        }
        Layout::Prisma => {
            for sub in &dirs {
                let file = sub.join("migration.sql");
                let folder = file_name(sub);
                if let (
                    true,
                    Parsed::Migration {
                        version,
                        name,
                        role,
                    },
                ) = (
                    file.is_file(),
                    parse_path(layout, &format!("{folder}/migration.sql")),
                ) {
                    listing.entries.push(Entry {
                        path: file,
                        version,
                        name,
                        role,
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

/// What a layout makes of one file, named by its path relative to the migrations folder
/// with `/` separators (as git lists it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parsed {
    Migration {
        version: Option<String>,
        name: String,
        role: Role,
    },
    /// A `.sql` file the tool would skip because of its name.
    Misnamed,
    /// Not used by the layout, with the reason.
    Ignored(&'static str),
}

/// Reads the version, name and role of a migration from its path relative to the folder:
/// the one place that knows each tool's naming, for files listed on disk and in git alike.
/// Prisma files are `<folder>/migration.sql`; sqitch files `deploy/<change>.sql` (no version:
/// sqitch.plan orders them) and `revert/<change>.sql`.
pub fn parse_path(layout: Layout, relative: &str) -> Parsed {
    let (folder, name) = match relative.rsplit_once('/') {
        Some((folder, name)) => (Some(folder), name),
        None => (None, relative),
    };
    if !name.to_ascii_lowercase().ends_with(".sql") {
        return Parsed::Ignored("not a .sql file");
    }
    let migration = |version: Option<&str>, name: &str, role: Role| Parsed::Migration {
        version: version.map(str::to_string),
        name: name.to_string(),
        role,
    };
    match (layout, folder) {
        (Layout::Prisma, Some(folder)) if name == "migration.sql" && !folder.contains('/') => {
            let description = folder
                .trim_start_matches(|c: char| c.is_ascii_digit())
                .trim_start_matches('_');
            migration(leading_digits(folder), description, Role::Versioned)
        }
        (Layout::Sqitch, Some(folder @ ("deploy" | "revert"))) => {
            let role = if folder == "deploy" {
                Role::Versioned
            } else {
                Role::Down
            };
            migration(None, name.trim_end_matches(".sql"), role)
        }
        (Layout::Prisma | Layout::Sqitch, _) | (_, Some(_)) => {
            Parsed::Ignored("not where the layout keeps migrations")
        }
        (Layout::Supabase, None) => match SUPABASE_NAME.captures(name) {
            Some(c) => migration(Some(&c[1]), &c[2], Role::Versioned),
            None => Parsed::Misnamed,
        },
        (Layout::Flyway, None) => match FLYWAY_NAME.captures(name) {
            None => Parsed::Ignored("not named V<version>__<name>.sql"),
            Some(c) if c.get(3).is_some() => migration(None, &c[4], Role::Repeatable),
            Some(c) => {
                let role = if &c[1] == "U" {
                    Role::Down
                } else {
                    Role::Versioned
                };
                migration(Some(c[2].trim_end_matches(['.', '_'])), &c[4], role)
            }
        },
        (Layout::GolangMigrate, None) => match GOLANG_MIGRATE_NAME.captures(name) {
            Some(c) => {
                let role = if &c[3] == "up" {
                    Role::Versioned
                } else {
                    Role::Down
                };
                migration(Some(&c[1]), &c[2], role)
            }
            None => Parsed::Ignored("not named <version>_<name>.up.sql"),
        },
        (Layout::Dbmate | Layout::Goose | Layout::Plain, None) => {
            match VERSIONED_NAME.captures(name) {
                Some(c) => migration(Some(&c[1]), &c[2], Role::Versioned),
                None if layout == Layout::Plain => {
                    migration(None, name.trim_end_matches(".sql"), Role::Versioned)
                }
                None => Parsed::Misnamed,
            }
        }
    }
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
    let plan_path = dir.join("sqitch.plan");
    let plan = match fs::read_to_string(&plan_path) {
        Ok(plan) => plan,
        Err(error) => {
            listing.unreadable.push((
                plan_path,
                format!("cannot read sqitch.plan ({error}), so no change can be deployed"),
            ));
            return;
        }
    };
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
            listing.unreadable.push((
                deploy,
                format!("sqitch.plan names change {change}, but its deploy script is missing"),
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

/// Layout markers that take a file out of the transaction (goose reads its annotations
/// case-insensitively).
pub fn no_transaction(layout: Layout, text: &str) -> bool {
    match layout {
        Layout::Goose => text.lines().any(|l| {
            let l = l.to_ascii_lowercase();
            l.trim_start().starts_with("--") && l.contains("+goose no transaction")
        }),
        Layout::Dbmate => text.lines().any(|l| {
            l.trim_start().starts_with("-- migrate:up") && l.contains("transaction:false")
        }),
        _ => false,
    }
}

/// Flyway's script configuration file (`V2__x.sql.conf` beside `V2__x.sql`) with
/// `executeInTransaction=false`: Flyway runs that migration outside a transaction.
pub fn script_config_no_transaction(layout: Layout, path: &Path) -> bool {
    if layout != Layout::Flyway {
        return false;
    }
    let mut config = path.as_os_str().to_owned();
    config.push(".conf");
    fs::read_to_string(PathBuf::from(config)).is_ok_and(|text| {
        text.lines().any(|line| {
            line.split_once('=').is_some_and(|(key, value)| {
                key.trim() == "executeInTransaction" && value.trim().eq_ignore_ascii_case("false")
            })
        })
    })
}

/// The tool that runs each migration file of a layout inside a transaction of its own, and
/// how a file opts out. Layouts whose tool runs the file as written (golang-migrate since
/// v3, Prisma on PostgreSQL, sqitch, whose deploy template writes `BEGIN`/`COMMIT`
/// itself) and plain folders (tool unknown) have none: there an explicit transaction is
/// the author's to write.
pub struct TransactionWrapper {
    /// The tool, as a message names it.
    pub tool: &'static str,
    /// How a file runs outside the tool's transaction, in words; `None` when it cannot.
    pub opt_out: Option<&'static str>,
}

impl Layout {
    pub fn transaction_wrapper(self) -> Option<TransactionWrapper> {
        let (tool, opt_out) = match self {
            // `supabase db push` / `migration up` send a file's statements and its history
            // row as one pipelined batch: one implicit transaction, with no per-file opt-out.
            Layout::Supabase => ("the Supabase CLI", None),
            Layout::Flyway => (
                "Flyway",
                Some("`executeInTransaction=false` in its script configuration file `<migration>.sql.conf`"),
            ),
            Layout::Dbmate => ("dbmate", Some("`-- migrate:up transaction:false`")),
            Layout::Goose => ("goose", Some("`-- +goose NO TRANSACTION` at the top of the file")),
            Layout::GolangMigrate
            | Layout::Prisma
            | Layout::Sqitch
            | Layout::Plain => return None,
        };
        Some(TransactionWrapper { tool, opt_out })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn migration(version: Option<&str>, name: &str, role: Role) -> Parsed {
        Parsed::Migration {
            version: version.map(str::to_string),
            name: name.to_string(),
            role,
        }
    }

    #[test]
    fn paths_from_git_parse_like_files_on_disk() {
        use Layout::*;
        assert_eq!(
            parse_path(Supabase, "20240101120000_init.sql"),
            migration(Some("20240101120000"), "init", Role::Versioned)
        );
        assert_eq!(parse_path(Supabase, "seed.sql"), Parsed::Misnamed);
        assert!(matches!(
            parse_path(Supabase, "old/1_a.sql"),
            Parsed::Ignored(_)
        ));
        assert!(matches!(
            parse_path(Supabase, "README.md"),
            Parsed::Ignored(_)
        ));
        assert_eq!(
            parse_path(Flyway, "V1_1__add.sql"),
            migration(Some("1_1"), "add", Role::Versioned)
        );
        assert_eq!(
            parse_path(Flyway, "U2__add.sql"),
            migration(Some("2"), "add", Role::Down)
        );
        assert_eq!(
            parse_path(Flyway, "R__views.sql"),
            migration(None, "views", Role::Repeatable)
        );
        assert_eq!(
            parse_path(GolangMigrate, "0003_x.down.sql"),
            migration(Some("0003"), "x", Role::Down)
        );
        assert_eq!(
            parse_path(Prisma, "20240101_init/migration.sql"),
            migration(Some("20240101"), "init", Role::Versioned)
        );
        assert!(matches!(
            parse_path(Prisma, "migration_lock.toml"),
            Parsed::Ignored(_)
        ));
        assert_eq!(
            parse_path(Sqitch, "revert/users.sql"),
            migration(None, "users", Role::Down)
        );
        assert!(matches!(
            parse_path(Sqitch, "verify/users.sql"),
            Parsed::Ignored(_)
        ));
        assert_eq!(
            parse_path(Plain, "schema.sql"),
            migration(None, "schema", Role::Versioned)
        );
        assert_eq!(parse_path(Goose, "schema.sql"), Parsed::Misnamed);
    }
}
