//! Leaves nothing behind on SIGINT/SIGTERM: every live server and scratch directory is
//! registered here, and a signal thread stops and deletes them, then exits 130/143.
//! (Success, errors and panics are covered by the owners' `Drop`.)

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, Once};

/// The environment variable that names a server's directory in the environment of the
/// server and everything it starts, so its children are found after they left its process
/// group.
pub const SERVER_MARKER: &str = "SCHEMAGATE_SERVER";

/// Something to undo when the process is interrupted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resource {
    /// A server we started (its pid) and the directory holding its data and socket.
    Server { pid: u32, dir: PathBuf },
    /// A directory to delete.
    Dir(PathBuf),
    /// A scratch database on a server given by URL, and the role created to apply to it.
    ScratchDatabase {
        url: String,
        name: String,
        role: String,
    },
}

static LIVE: Mutex<Vec<(u64, Resource)>> = Mutex::new(Vec::new());
static NEXT: Mutex<u64> = Mutex::new(0);
static INSTALL: Once = Once::new();
/// Held by the signal thread from the signal until the process exits.
static CLEANING: Mutex<()> = Mutex::new(());

/// Set by the signal thread, before it stops anything.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Called before a command writes its results (report, files, GitHub): after SIGINT or
/// SIGTERM what the run saw (its server stopped under it: a false `apply-failed 08006`) is
/// no result, so this never returns then; the signal thread exits the process.
pub fn halt_if_interrupted() {
    if INTERRUPTED.load(Ordering::SeqCst) {
        let _wait = CLEANING.lock();
        loop {
            std::thread::park();
        }
    }
}

/// Called by `main` before exiting: if a signal is being handled, the resources it stops
/// may have made the command fail; let the signal thread finish and set the exit code.
pub fn wait_if_interrupted() {
    let _wait = CLEANING.lock();
}

/// A registration; dropping it unregisters (the owner has cleaned up itself).
#[derive(Debug)]
pub struct Registration(u64);

impl Drop for Registration {
    fn drop(&mut self) {
        if let Ok(mut live) = LIVE.lock() {
            live.retain(|(id, _)| *id != self.0);
        }
    }
}

pub fn register(resource: Resource) -> Registration {
    install_handler();
    let id = {
        let mut next = NEXT.lock().unwrap_or_else(|e| e.into_inner());
        *next += 1;
        *next
    };
    LIVE.lock()
        .unwrap_or_else(|e| e.into_inner())
        .push((id, resource));
    Registration(id)
}

fn install_handler() {
    INSTALL.call_once(|| {
        use signal_hook::consts::{SIGINT, SIGTERM};
        let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM]) else {
            return;
        };
        std::thread::spawn(move || {
            if let Some(signal) = signals.forever().next() {
                let _cleaning = CLEANING.lock();
                INTERRUPTED.store(true, Ordering::SeqCst);
                let resources: Vec<Resource> = LIVE
                    .lock()
                    .map(|live| live.iter().rev().map(|(_, r)| r.clone()).collect())
                    .unwrap_or_default();
                for resource in &resources {
                    release(resource);
                }
                eprintln!("interrupted: stopped the PostgreSQL server and removed its files; no report written");
                crate::github::stop_commands::resume();
                std::process::exit(128 + signal);
            }
        });
    });
}

/// Undoes one resource, best effort.
pub fn release(resource: &Resource) {
    match resource {
        Resource::Server { pid, dir } => {
            stop_process(*pid, libc::SIGQUIT, dir);
            let _ = std::fs::remove_dir_all(dir);
        }
        Resource::Dir(dir) => {
            let _ = std::fs::remove_dir_all(dir);
        }
        Resource::ScratchDatabase { url, name, role } => {
            let _ = super::scratch::drop_blocking(url, name, role);
        }
    }
}

/// Makes this process the reaper of orphans among its descendants, so a process a server
/// started and detached (`setsid … &`) becomes our child and can be stopped with the server.
pub fn adopt_orphans() {
    static ADOPT: Once = Once::new();
    ADOPT.call_once(|| {
        // SAFETY: a plain prctl on our own process.
        unsafe {
            libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
        }
    });
}

/// Stops a child server: sends `signal` and waits until it has exited (escalating to SIGKILL
/// after a few seconds), then kills what is left of its process group and every orphan it
/// left behind (a process adopted by us whose environment names `dir`), and reaps them.
pub fn stop_process(pid: u32, signal: i32, dir: &std::path::Path) {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return;
    };
    // SAFETY: a plain syscall on a pid we spawned.
    if unsafe { libc::kill(pid, signal) } == 0 {
        reap_with_group(pid);
    }
    stop_orphans(dir);
}

/// Waits until the signalled child `pid` has exited (SIGKILL after a few seconds), kills
/// what is left of its process group, and reaps it.
fn reap_with_group(pid: libc::pid_t) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        match child_state(pid) {
            ChildState::Running => {}
            // The server is a zombie until reaped, so its pid (the group's id) cannot have
            // been reused: kill what is left of the group, then reap the server.
            // SAFETY: the group was created for the server (`process_group(0)`).
            ChildState::Exited => unsafe {
                libc::killpg(pid, libc::SIGKILL);
                let mut status = 0;
                libc::waitpid(pid, &mut status, 0);
                return;
            },
            // Reaped already (it died while starting): its pid may belong to another
            // process by now, so no group is signalled.
            ChildState::Gone => return,
        }
        if std::time::Instant::now() > deadline {
            // SAFETY: our child, not reaped yet.
            unsafe {
                libc::kill(pid, libc::SIGKILL);
            }
        }
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
}

enum ChildState {
    Running,
    /// Exited, not reaped yet.
    Exited,
    /// Not a child of ours (any more).
    Gone,
}

/// What became of the child `pid`, without reaping it.
fn child_state(pid: libc::pid_t) -> ChildState {
    // SAFETY: waitid writes into the zeroed struct we own; WNOWAIT leaves the child waitable.
    unsafe {
        let mut info: libc::siginfo_t = std::mem::zeroed();
        let found = libc::waitid(
            libc::P_PID,
            pid as libc::id_t,
            &mut info,
            libc::WEXITED | libc::WNOHANG | libc::WNOWAIT,
        );
        if found != 0 {
            ChildState::Gone
        } else if info.si_pid() != 0 {
            ChildState::Exited
        } else {
            ChildState::Running
        }
    }
}

/// Kills and reaps our adopted children that carry the server marker for `dir`; repeated,
/// since killing one hands its own children to us.
fn stop_orphans(dir: &std::path::Path) {
    let marker = format!("{SERVER_MARKER}={}", dir.display());
    // SAFETY: getpid has no preconditions.
    let me = unsafe { libc::getpid() };
    for _ in 0..100 {
        let orphans = children_with(me, marker.as_bytes());
        if orphans.is_empty() {
            return;
        }
        for orphan in orphans {
            // SAFETY: a child of ours (checked just now); killing and reaping it.
            unsafe {
                libc::kill(orphan, libc::SIGKILL);
                let mut status = 0;
                libc::waitpid(orphan, &mut status, 0);
            }
        }
    }
}

/// Children of `parent` whose environment contains the entry `marker`.
fn children_with(parent: libc::pid_t, marker: &[u8]) -> Vec<libc::pid_t> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|entry| {
            entry
                .ok()?
                .file_name()
                .to_str()?
                .parse::<libc::pid_t>()
                .ok()
        })
        .filter(|pid| {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
            // `pid (comm) state ppid …`; comm may hold anything, so read after its last `)`.
            let ppid = stat
                .rsplit_once(')')
                .and_then(|(_, rest)| rest.split_whitespace().nth(1)?.parse().ok());
            ppid == Some(parent)
                && std::fs::read(format!("/proc/{pid}/environ"))
                    .is_ok_and(|env| env.split(|b| *b == 0).any(|entry| entry == marker))
        })
        .collect()
}

/// Removes what earlier runs left when they were killed (SIGKILL, the OOM killer: no
/// handler runs): in `dir`, cluster directories `schemagate-<pid>-…` and cache staging
/// directories `.<key>.<pid>.tmp` whose run `<pid>` no longer exists, after stopping a
/// server still running in them. Best effort; while any process has that pid (the run, a
/// test binary using the library, or an unrelated process that reused the pid) nothing is
/// touched.
pub fn sweep(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = owner_pid(&name) else {
            continue;
        };
        if Path::new(&format!("/proc/{pid}")).exists() {
            continue;
        }
        let path = entry.path();
        stop_orphan_server(&path.join("data"));
        let _ = std::fs::remove_dir_all(&path);
    }
}

/// The run that made a directory, from its name (see `cluster::scratch_dir` and
/// `save_to_cache`).
fn owner_pid(name: &str) -> Option<u32> {
    if let Some(rest) = name.strip_prefix("schemagate-") {
        // `<pid>-<random>`: a name without the pid (older versions) is never swept.
        let (pid, random) = rest.split_once('-')?;
        return (!random.is_empty()).then(|| pid.parse().ok())?;
    }
    let rest = name.strip_prefix('.')?.strip_suffix(".tmp")?;
    rest.rsplit('.').next()?.parse().ok()
}

/// Stops the server of `data` if one still runs: the pid of its `postmaster.pid`, and only
/// if that process is a postgres started on this very directory.
fn stop_orphan_server(data: &Path) {
    let Some(pid) = std::fs::read_to_string(data.join("postmaster.pid"))
        .ok()
        .and_then(|text| text.lines().next()?.trim().parse::<libc::pid_t>().ok())
    else {
        return;
    };
    let ours = std::fs::read(format!("/proc/{pid}/cmdline")).is_ok_and(|cmdline| {
        let data = data.as_os_str().as_encoded_bytes();
        cmdline.split(|b| *b == 0).any(|arg| arg == data)
            && cmdline
                .split(|b| *b == 0)
                .next()
                .is_some_and(|program| program.ends_with(b"postgres"))
    });
    if !ours {
        return;
    }
    // SAFETY: signals to a process checked above to be a postgres of that directory.
    unsafe { libc::kill(pid, libc::SIGQUIT) };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while Path::new(&format!("/proc/{pid}")).exists() {
        if std::time::Instant::now() > deadline {
            // SAFETY: as above.
            unsafe { libc::kill(pid, libc::SIGKILL) };
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_names_with_a_pid_are_swept() {
        assert_eq!(owner_pid("schemagate-4242-aB3xYz"), Some(4242));
        assert_eq!(owner_pid(".pg15.18-supabase-0a1b2c.4242.tmp"), Some(4242));
        assert_eq!(owner_pid("schemagate-123456"), None);
        assert_eq!(owner_pid("schemagate-pg-aB3xYz"), None);
        assert_eq!(owner_pid("pg15.18-supabase-0a1b2c"), None);
    }
}
