//! An ephemeral PostgreSQL cluster: a data directory in a fresh temporary directory (a copy
//! of a cached one when available), a server listening only on a unix socket inside that
//! directory (no TCP port, so parallel runs never collide), durability off. Dropping the
//! [`Cluster`] stops the server and deletes the directory; so does SIGINT/SIGTERM.

use super::binaries::PgBin;
use super::cleanup::{self, Registration, Resource};
use crate::Failure;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The port number only names the socket file (`.s.PGSQL.5432`); nothing listens on TCP.
pub const PORT: u16 = 5432;
/// The superuser initdb creates, named as on hosted Supabase; migrations run as the
/// non-superuser `postgres` (see `role.rs`).
pub const SUPERUSER: &str = "supabase_admin";

/// Clears the environment of a server process (initdb, postgres) down to what PostgreSQL
/// needs, so a migration that runs a program on the server (`--apply-as superuser`) finds no
/// secret of the CI job there. `marker` is set in the server's environment so its children
/// can be recognised after they left its process group (see `cleanup::stop_process`).
fn clean_environment(command: &mut Command, marker: &Path) {
    let path = std::env::var_os("PATH")
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| "/usr/local/bin:/usr/bin:/bin".into());
    command
        .env_clear()
        .env("PATH", path)
        .env("LC_ALL", "C")
        .env(cleanup::SERVER_MARKER, marker);
}

/// The unprivileged account a server runs as when we are root (PostgreSQL refuses root).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Owner {
    pub uid: u32,
    pub gid: u32,
}

/// `Some` when we run as root: the `postgres` system user, else `nobody`.
pub fn server_owner() -> Result<Option<Owner>, Failure> {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        return Ok(None);
    }
    let passwd = std::fs::read_to_string("/etc/passwd").unwrap_or_default();
    for wanted in ["postgres", "nobody"] {
        for line in passwd.lines() {
            let fields: Vec<&str> = line.split(':').collect();
            if fields.len() > 3 && fields[0] == wanted {
                if let (Ok(uid), Ok(gid)) = (fields[2].parse(), fields[3].parse()) {
                    return Ok(Some(Owner { uid, gid }));
                }
            }
        }
    }
    Err(Failure::Environment(
        "running as root, but neither a `postgres` nor a `nobody` user exists to run the server as (PostgreSQL refuses to run as root); create one (`useradd --system postgres`) or run schemagate as an ordinary user".to_string(),
    ))
}

/// Where clusters live: `TMPDIR` when set; else `/dev/shm` when it is a memory file system
/// with room (a data directory is ~40 MB; creating its thousand files on a busy disk costs
/// seconds, in memory milliseconds); else the system temp dir.
fn scratch_base() -> PathBuf {
    if std::env::var_os("TMPDIR").is_some_and(|v| !v.is_empty()) {
        return std::env::temp_dir();
    }
    let shm = Path::new("/dev/shm");
    if shm.is_dir() && free_bytes(shm).is_some_and(|free| free >= 1 << 30) {
        return shm.to_path_buf();
    }
    std::env::temp_dir()
}

fn free_bytes(path: &Path) -> Option<u64> {
    use std::os::unix::ffi::OsStrExt;
    let c_path = std::ffi::CString::new(path.as_os_str().as_bytes()).ok()?;
    // SAFETY: statvfs writes into the zeroed struct we own; the path is NUL-terminated.
    unsafe {
        let mut stats: libc::statvfs = std::mem::zeroed();
        if libc::statvfs(c_path.as_ptr(), &mut stats) != 0 {
            return None;
        }
        if libc::access(c_path.as_ptr(), libc::W_OK) != 0 {
            return None;
        }
        Some(stats.f_bavail as u64 * stats.f_frsize as u64)
    }
}

/// A fresh directory for a cluster (see [`scratch_base`]), owned by `owner`, mode 0700.
pub fn scratch_dir(owner: Option<Owner>) -> Result<PathBuf, Failure> {
    let base = scratch_base();
    // The pid in the name lets a later run sweep what this one leaves if it is killed.
    cleanup::sweep(&base);
    let dir = tempfile::Builder::new()
        .prefix(&format!("schemagate-{}-", std::process::id()))
        .tempdir_in(&base)
        .map_err(|e| {
            Failure::Environment(format!(
                "cannot create a temporary directory in {}: {e}; set TMPDIR to a writable directory",
                base.display()
            ))
        })?
        .keep();
    if let Some(owner) = owner {
        chown(&dir, owner)?;
    }
    Ok(dir)
}

fn chown(path: &Path, owner: Owner) -> Result<(), Failure> {
    std::os::unix::fs::lchown(path, Some(owner.uid), Some(owner.gid)).map_err(|e| {
        Failure::Environment(format!(
            "cannot hand {} to the server's user: {e}",
            path.display()
        ))
    })
}

fn chown_tree(path: &Path, owner: Owner) -> Result<(), Failure> {
    for entry in walkdir::WalkDir::new(path) {
        let entry = entry
            .map_err(|e| Failure::Environment(format!("cannot read {}: {e}", path.display())))?;
        chown(entry.path(), owner)?;
    }
    Ok(())
}

/// Copies a data directory (regular files, directories, symlinks).
pub fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in walkdir::WalkDir::new(from).min_depth(1) {
        let entry = entry?;
        let relative = entry.path().strip_prefix(from).unwrap_or(entry.path());
        let target = to.join(relative);
        let kind = entry.file_type();
        if kind.is_dir() {
            std::fs::create_dir(&target)?;
        } else if kind.is_symlink() {
            std::os::unix::fs::symlink(std::fs::read_link(entry.path())?, &target)?;
        } else {
            std::fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

/// Runs `initdb` into `data` (trust auth, UTF8, C locale, no fsync).
pub fn initdb(bin: &PgBin, data: &Path, owner: Option<Owner>) -> Result<(), Failure> {
    let mut command = Command::new(bin.initdb());
    command
        .arg("-D")
        .arg(data)
        .args([
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
            "-U",
            SUPERUSER,
        ])
        .stdin(Stdio::null());
    clean_environment(&mut command, data);
    if let Some(owner) = owner {
        command.uid(owner.uid).gid(owner.gid);
    }
    let output = command
        .output()
        .map_err(|e| Failure::Environment(format!("cannot run {}: {e}", bin.initdb().display())))?;
    if !output.status.success() {
        return Err(Failure::Environment(format!(
            "initdb failed: {}{}",
            String::from_utf8_lossy(&output.stderr).trim(),
            if owner.is_some() {
                " (it runs as the `postgres` system user: that user must be able to reach the temporary directory; set TMPDIR to a world-traversable directory)"
            } else {
                ""
            }
        )));
    }
    Ok(())
}

/// Where a cluster's data directory comes from.
pub enum DataSource<'a> {
    /// A fresh `initdb`.
    Initdb,
    /// A copy of a prepared (cached) data directory.
    Copy(&'a Path),
}

/// A running ephemeral server. Dropping it stops the server and deletes its directory.
#[derive(Debug)]
pub struct Cluster {
    /// The temporary directory: `data/`, the socket and `server.log`.
    pub dir: PathBuf,
    pid: u32,
    stopped: bool,
    _registration: Registration,
}

impl Cluster {
    /// Prepares a data directory and starts a server on it, from an extension overlay
    /// (emulated Supabase extensions) when `emulate` is set.
    pub fn start(
        bin: &PgBin,
        source: DataSource<'_>,
        owner: Option<Owner>,
        emulate: bool,
    ) -> Result<Cluster, Failure> {
        let dir = scratch_dir(owner)?;
        let guard = cleanup::register(Resource::Dir(dir.clone()));
        let started = Self::start_in(&dir, bin, source, owner, emulate);
        if started.is_err() {
            let _ = std::fs::remove_dir_all(&dir);
        }
        drop(guard);
        started
    }

    fn start_in(
        dir: &Path,
        bin: &PgBin,
        source: DataSource<'_>,
        owner: Option<Owner>,
        emulate: bool,
    ) -> Result<Cluster, Failure> {
        let dir = dir.to_path_buf();
        let server = if emulate {
            super::overlay::build(bin, &dir.join("overlay"))
                .map_err(|e| {
                    Failure::Environment(format!(
                        "cannot build the extension overlay in {}: {e}",
                        dir.display()
                    ))
                })?
                .unwrap_or_else(|| bin.postgres())
        } else {
            bin.postgres()
        };
        let data = dir.join("data");
        match source {
            DataSource::Initdb => initdb(bin, &data, owner)?,
            DataSource::Copy(from) => {
                copy_tree(from, &data).map_err(|e| {
                    Failure::Environment(format!(
                        "cannot copy the cached data directory {}: {e}",
                        from.display()
                    ))
                })?;
                std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o700)).map_err(
                    |e| {
                        Failure::Environment(format!(
                            "cannot set permissions on {}: {e}",
                            data.display()
                        ))
                    },
                )?;
                if let Some(owner) = owner {
                    chown_tree(&data, owner)?;
                }
            }
        }
        let log_path = dir.join("server.log");
        let log = std::fs::File::create(&log_path).map_err(|e| {
            Failure::Environment(format!("cannot create {}: {e}", log_path.display()))
        })?;
        if let Some(owner) = owner {
            chown(&log_path, owner)?;
        }
        let mut command = Command::new(&server);
        command
            .arg("-D")
            .arg(&data)
            .arg("-k")
            .arg(&dir)
            .arg("-p")
            .arg(PORT.to_string())
            .args([
                "-c",
                "listen_addresses=",
                "-c",
                "fsync=off",
                "-c",
                "synchronous_commit=off",
                "-c",
                "full_page_writes=off",
                "-c",
                "max_connections=20",
                "-c",
                "max_wal_senders=0",
                "-c",
                "wal_level=minimal",
                "-c",
                "logging_collector=off",
                "-c",
                "shared_preload_libraries=",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .process_group(0);
        clean_environment(&mut command, &dir);
        if let Some(owner) = owner {
            command.uid(owner.uid).gid(owner.gid);
        }
        let child = command
            .spawn()
            .map_err(|e| Failure::Environment(format!("cannot start {}: {e}", server.display())))?;
        let pid = child.id();
        // The pid is reaped by `cleanup::stop_process`, not through `Child`.
        drop(child);
        let registration = cleanup::register(Resource::Server {
            pid,
            dir: dir.clone(),
        });
        cleanup::adopt_orphans();
        let cluster = Cluster {
            dir,
            pid,
            stopped: false,
            _registration: registration,
        };
        cluster.wait_ready()?;
        Ok(cluster)
    }

    pub fn data_dir(&self) -> PathBuf {
        self.dir.join("data")
    }

    /// The superuser's connection settings for `dbname` over the cluster's socket.
    pub fn config(&self, dbname: &str) -> tokio_postgres::Config {
        self.config_as(dbname, SUPERUSER)
    }

    /// `user`'s connection settings for `dbname` (trust authentication: the socket is in a
    /// directory only we can reach).
    pub fn config_as(&self, dbname: &str, user: &str) -> tokio_postgres::Config {
        let mut config = tokio_postgres::Config::new();
        config
            .host_path(&self.dir)
            .port(PORT)
            .user(user)
            .dbname(dbname)
            .application_name("schemagate")
            .connect_timeout(Duration::from_secs(10));
        config
    }

    /// Waits until `postmaster.pid` says "ready" (what pg_ctl watches), or the server died.
    fn wait_ready(&self) -> Result<(), Failure> {
        let pid_file = self.data_dir().join("postmaster.pid");
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(text) = std::fs::read_to_string(&pid_file) {
                if text.lines().nth(7).is_some_and(|l| l.trim() == "ready") {
                    return Ok(());
                }
            }
            let mut status = 0;
            // SAFETY: WNOHANG waitpid on our own child.
            let exited =
                unsafe { libc::waitpid(self.pid as libc::pid_t, &mut status, libc::WNOHANG) };
            if exited != 0 || Instant::now() > deadline {
                let log = std::fs::read_to_string(self.dir.join("server.log")).unwrap_or_default();
                let tail: Vec<&str> = log
                    .lines()
                    .rev()
                    .take(8)
                    .collect::<Vec<_>>()
                    .into_iter()
                    .rev()
                    .collect();
                return Err(Failure::Environment(format!(
                    "the PostgreSQL server did not start{}:\n{}",
                    if exited == 0 { " within 60 s" } else { "" },
                    tail.join("\n")
                )));
            }
            std::thread::sleep(Duration::from_millis(3));
        }
    }

    /// Stops the server cleanly (a checkpoint, so the data directory can be reused) and
    /// copies the data directory to `target`; the cluster is then gone.
    pub fn save_data_dir(mut self, target: &Path) -> std::io::Result<()> {
        cleanup::stop_process(self.pid, libc::SIGINT, &self.dir);
        self.stopped = true;
        copy_tree(&self.data_dir(), target)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if !self.stopped {
            cleanup::stop_process(self.pid, libc::SIGQUIT, &self.dir);
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
