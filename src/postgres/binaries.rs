//! Finding the PostgreSQL server binaries (`postgres`, `initdb`) to start a cluster with.
//!
//! Order: `--pg-bin` / `PG_BIN`, `pg_config --bindir`, `/usr/lib/postgresql/<major>/bin`
//! (the project's major version, else the highest installed), then `PATH`. A directory
//! of the project's major version wins over an earlier one of another version.

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
        if !dir.join("postgres").is_file() || !dir.join("initdb").is_file() {
            return None;
        }
        let output = Command::new(dir.join("postgres")).arg("-V").output().ok()?;
        let text = String::from_utf8_lossy(&output.stdout);
        let version = parse_version(&text)?;
        let major = version.split('.').next()?.parse().ok()?;
        Some(PgBin {
            dir: dir.to_path_buf(),
            version,
            major,
        })
    }
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

/// The remedy printed when no server can be found.
pub const INSTALL_HINT: &str = "install the PostgreSQL server (Debian/Ubuntu: `apt-get install postgresql`; macOS: `brew install postgresql`), point --pg-bin (or PG_BIN) at its bin directory, or pass --database-url (or DATABASE_URL) to use a running server";

/// Finds the server binaries. `explicit` is `--pg-bin`/`PG_BIN`; `major` the wanted major
/// version (`--pg-version`, `[db].major_version`).
pub fn find(explicit: Option<&Path>, major: Option<u32>) -> Result<PgBin, Failure> {
    if let Some(dir) = explicit {
        return PgBin::probe(dir).ok_or_else(|| {
            Failure::Environment(format!(
                "{} does not contain a working `postgres` and `initdb`; pass the server's bin directory (e.g. /usr/lib/postgresql/15/bin) to --pg-bin",
                dir.display()
            ))
        });
    }
    let candidates = candidates(major);
    let found: Vec<PgBin> = candidates.iter().filter_map(|d| PgBin::probe(d)).collect();
    let chosen = match major {
        Some(major) => found
            .iter()
            .find(|bin| bin.major == major)
            .or(found.first()),
        None => found.first(),
    };
    match chosen {
        Some(bin) => {
            if let Some(wanted) = major.filter(|m| *m != bin.major) {
                eprintln!(
                    "note: the project targets PostgreSQL {wanted} but only {} was found ({}); install postgresql-{wanted} or pass --pg-bin for a faithful apply",
                    bin.version,
                    bin.dir.display()
                );
            }
            Ok(bin.clone())
        }
        None => Err(Failure::Environment(format!(
            "no PostgreSQL server binaries found (looked at pg_config --bindir, /usr/lib/postgresql/*/bin and PATH); {INSTALL_HINT}"
        ))),
    }
}

/// Candidate directories in search order, without duplicates.
fn candidates(major: Option<u32>) -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    if let Ok(output) = Command::new("pg_config").arg("--bindir").output() {
        if output.status.success() {
            let dir = String::from_utf8_lossy(&output.stdout).trim().to_string();
            if !dir.is_empty() {
                dirs.push(PathBuf::from(dir));
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
    if let Some(wanted) = major {
        if let Some((_, dir)) = installed.iter().find(|(m, _)| *m == wanted) {
            dirs.insert(0, dir.clone());
        }
    }
    dirs.extend(installed.into_iter().map(|(_, dir)| dir));
    if let Some(path) = std::env::var_os("PATH") {
        dirs.extend(std::env::split_paths(&path).filter(|d| d.join("postgres").is_file()));
    }
    let mut unique = Vec::new();
    for dir in dirs {
        if !unique.contains(&dir) {
            unique.push(dir);
        }
    }
    unique
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
