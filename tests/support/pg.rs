//! A throwaway PostgreSQL server for one test: `initdb` into a temporary directory, a server
//! listening only on a unix socket inside that directory, stopped and deleted on drop (also
//! when the test panics). As root the server runs as the `postgres` system user, because
//! PostgreSQL refuses to run as root.
//!
//! Test-only; the product's own cluster lives in `src/postgres/`.

use schemagate::postgres::binaries::{self, PgBin};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The system user that owns and runs the server when the tests run as root.
const SERVER_USER: &str = "postgres";

pub struct TestServer {
    /// Holds the data directory and the socket; deleted on drop after the server stops.
    dir: tempfile::TempDir,
    /// The server binaries' directory.
    bin: PathBuf,
}

impl TestServer {
    /// Initialises and starts a server of the newest major the tests run on; panics with the
    /// tool's output when that fails.
    pub fn start() -> TestServer {
        let newest = pg_majors().pop().expect("pg_majors is never empty");
        TestServer::start_on(&newest)
    }

    /// Initialises and starts a server from `bin`.
    pub fn start_on(bin: &PgBin) -> TestServer {
        let dir = tempfile::Builder::new()
            .prefix("schemagate-pg-")
            .tempdir()
            .expect("create a temporary directory");
        let server = TestServer {
            dir,
            bin: bin.dir.clone(),
        };
        if is_root() {
            run(Command::new("chown")
                .arg(format!("{SERVER_USER}:"))
                .arg(server.dir.path()));
        }
        run(server.command("initdb").args([
            "--pgdata",
            &server.data_dir().to_string_lossy(),
            "--auth=trust",
            "--username=postgres",
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync",
        ]));
        // Settings go into the config file rather than on a command line, so no path ever
        // passes through a shell.
        let settings = format!(
            "\nlisten_addresses = ''\nunix_socket_directories = '{}'\nfsync = off\n\
             synchronous_commit = off\nfull_page_writes = off\n",
            server.socket_dir().display()
        );
        let conf = server.data_dir().join("postgresql.conf");
        let mut text = std::fs::read_to_string(&conf).expect("read postgresql.conf");
        text.push_str(&settings);
        std::fs::write(&conf, text).expect("write postgresql.conf");
        run(server
            .pg_ctl(&["start", "--wait", "--log"])
            .arg(server.dir.path().join("server.log")));
        server
    }

    /// The directory holding the server's unix socket.
    pub fn socket_dir(&self) -> &Path {
        self.dir.path()
    }

    /// A `postgresql://` URL for `database` over the unix socket.
    pub fn url(&self, database: &str) -> String {
        format!(
            "postgresql://postgres@/{database}?host={}",
            self.socket_dir().display()
        )
    }

    /// A connected client; the connection is driven by a task on the current runtime.
    pub async fn connect(&self, database: &str) -> tokio_postgres::Client {
        let (client, connection) =
            tokio_postgres::connect(&self.url(database), tokio_postgres::NoTls)
                .await
                .expect("connect to the test server");
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                eprintln!("test connection ended: {error}");
            }
        });
        client
    }

    fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// `tool` from the server binaries, run as the server's user.
    fn command(&self, tool: &str) -> Command {
        let program = self.bin.join(tool);
        if is_root() {
            let mut command = Command::new("runuser");
            command.args(["-u", SERVER_USER, "--"]).arg(program);
            command
        } else {
            Command::new(program)
        }
    }

    fn pg_ctl(&self, args: &[&str]) -> Command {
        let mut command = self.command("pg_ctl");
        command.arg("--pgdata").arg(self.data_dir()).args(args);
        command
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        let stopped = self
            .pg_ctl(&["stop", "--wait", "--mode=immediate"])
            .output();
        if let Ok(output) = stopped {
            if !output.status.success() {
                eprintln!("pg_ctl stop: {}", String::from_utf8_lossy(&output.stderr));
            }
        }
        // The TempDir field deletes the directory after this.
    }
}

/// Are the tests running as root? (`id -u` spares a libc dependency for one call.)
fn is_root() -> bool {
    static ROOT: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ROOT.get_or_init(|| {
        Command::new("id")
            .arg("-u")
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
            .unwrap_or(false)
    })
}

fn run(command: &mut Command) -> Output {
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"));
    assert!(
        output.status.success(),
        "{command:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// The servers the tests run on, one per major, oldest first: those in
/// `SCHEMAGATE_TEST_PG_BINS` (a path list of bin directories or folders to search; `.ci/run`
/// runs the tests once per major with it), else every major the product finds on this
/// machine. Tests that compare majors loop over them; the others use the newest.
pub fn pg_majors() -> Vec<PgBin> {
    let majors = chosen_majors()
        .cloned()
        .unwrap_or_else(|| binaries::installed(None));
    assert!(
        !majors.is_empty(),
        "the tests need a PostgreSQL server: none found in pg_config --bindir, /usr/lib/postgresql/*/bin or PATH"
    );
    majors
}

/// The majors `SCHEMAGATE_TEST_PG_BINS` names, when set (read once a test process).
pub fn chosen_majors() -> Option<&'static Vec<PgBin>> {
    static CHOSEN: std::sync::OnceLock<Option<Vec<PgBin>>> = std::sync::OnceLock::new();
    CHOSEN
        .get_or_init(|| {
            let list = std::env::var_os("SCHEMAGATE_TEST_PG_BINS").filter(|v| !v.is_empty())?;
            let majors = binaries::installed(Some(Path::new(&list)));
            assert!(
                !majors.is_empty(),
                "SCHEMAGATE_TEST_PG_BINS={} holds no PostgreSQL server binaries",
                Path::new(&list).display()
            );
            Some(majors)
        })
        .as_ref()
}
