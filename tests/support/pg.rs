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
    pub port: u16,
    /// The server binaries' directory.
    bin: PathBuf,
}

/// What a server needs beyond the defaults: more `postgresql.conf` lines, a `pg_hba.conf`,
/// and files in the data directory (certificates, keys), owned by the server's user, mode
/// 0600.
#[derive(Default)]
pub struct Setup<'a> {
    /// The server binaries; the newest of [`pg_majors`] if none.
    pub bin: Option<&'a PgBin>,
    /// The port (of the socket, and of TCP where `settings` listens on it); 5432 if none.
    pub port: Option<u16>,
    pub settings: &'a str,
    pub hba: Option<&'a str>,
    pub files: &'a [(&'a str, &'a [u8])],
}

impl TestServer {
    /// Initialises and starts a server of the newest major the tests run on; panics with the
    /// tool's output when that fails.
    pub fn start() -> TestServer {
        Self::start_with(&Setup::default())
    }

    /// Initialises and starts a server from `bin`.
    pub fn start_on(bin: &PgBin) -> TestServer {
        Self::start_with(&Setup {
            bin: Some(bin),
            ..Setup::default()
        })
    }

    /// A server set up as `setup` says.
    pub fn start_with(setup: &Setup) -> TestServer {
        let dir = tempfile::Builder::new()
            .prefix("schemagate-pg-")
            .tempdir()
            .expect("create a temporary directory");
        let server = TestServer {
            dir,
            port: setup.port.unwrap_or(5432),
            bin: match setup.bin {
                Some(bin) => bin.dir.clone(),
                None => pg_majors().pop().expect("pg_majors is never empty").dir,
            },
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
            "\nlisten_addresses = ''\nport = {}\nunix_socket_directories = '{}'\nfsync = off\n\
             synchronous_commit = off\nfull_page_writes = off\n",
            server.port,
            server.socket_dir().display()
        );
        let conf = server.data_dir().join("postgresql.conf");
        let mut text = std::fs::read_to_string(&conf).expect("read postgresql.conf");
        text.push_str(&settings);
        text.push_str(setup.settings);
        std::fs::write(&conf, text).expect("write postgresql.conf");
        if let Some(hba) = setup.hba {
            server.install("pg_hba.conf", hba.as_bytes());
        }
        for (name, contents) in setup.files {
            server.install(name, contents);
        }
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
            "postgresql://postgres@/{database}?host={}&port={}",
            self.socket_dir().display(),
            self.port
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

    /// Runs `sql` in `database` as the superuser, from a runtime of its own.
    pub fn execute(&self, database: &str, sql: &str) {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime")
            .block_on(async {
                self.connect(database)
                    .await
                    .batch_execute(sql)
                    .await
                    .unwrap_or_else(|e| panic!("{sql}: {e:?}"));
            });
    }

    fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// Writes a file into the data directory, readable only by the server's user.
    fn install(&self, name: &str, contents: &[u8]) {
        use std::os::unix::fs::PermissionsExt;
        let path = self.data_dir().join(name);
        std::fs::write(&path, contents).expect("write a file into the data directory");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))
            .expect("restrict the file");
        if is_root() {
            run(Command::new("chown")
                .arg(format!("{SERVER_USER}:"))
                .arg(&path));
        }
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

/// PgBouncer in transaction mode on 127.0.0.1 in front of a [`TestServer`], trusting every
/// user, with one server connection (so whatever a client leaves in a server session, the
/// next client meets); stopped on drop.
pub struct Pooler {
    dir: tempfile::TempDir,
    pub port: u16,
}

impl Pooler {
    /// Starts `pgbouncer` (Debian's package) and waits until it accepts connections.
    pub fn start(server: &TestServer) -> Pooler {
        let dir = tempfile::Builder::new()
            .prefix("schemagate-pgbouncer-")
            .tempdir()
            .expect("create a temporary directory");
        let port = free_port();
        let path = |name: &str| dir.path().join(name).display().to_string();
        let config = format!(
            "[databases]\n* = host={socket} port={server_port}\n\
             [pgbouncer]\nlisten_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n\
             auth_type = trust\nauth_file = {users}\npool_mode = transaction\ndefault_pool_size = 1\n\
             logfile = {log}\npidfile = {pid}\n",
            socket = server.socket_dir().display(),
            server_port = server.port,
            users = path("users.txt"),
            log = path("pgbouncer.log"),
            pid = path("pgbouncer.pid"),
        );
        std::fs::write(dir.path().join("users.txt"), "\"postgres\" \"\"\n").expect("write users");
        std::fs::write(dir.path().join("pgbouncer.ini"), config).expect("write the config");
        // PgBouncer refuses to run as root.
        let mut command = if is_root() {
            run(Command::new("chown")
                .arg("-R")
                .arg(format!("{SERVER_USER}:"))
                .arg(dir.path()));
            let mut command = Command::new("runuser");
            command.args(["-u", SERVER_USER, "--", "pgbouncer"]);
            command
        } else {
            Command::new("pgbouncer")
        };
        run(command.arg("-d").arg(dir.path().join("pgbouncer.ini")));
        let pooler = Pooler { dir, port };
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                std::time::Instant::now() < deadline,
                "pgbouncer did not listen: {}",
                std::fs::read_to_string(pooler.dir.path().join("pgbouncer.log"))
                    .unwrap_or_default()
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        pooler
    }
}

impl Drop for Pooler {
    fn drop(&mut self) {
        if let Ok(pid) = std::fs::read_to_string(self.dir.path().join("pgbouncer.pid")) {
            let _ = Command::new("kill").arg(pid.trim()).status();
        }
    }
}

/// A TCP port nothing listens on right now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port()
}

/// Everything a read-only command could change if it wrote: the catalog (relations, columns, schemas,
/// functions, privileges) and every row of every user table, history tables included.
/// Statistics (`reltuples`, `pg_stat_*`) are left out: the server updates them on its own.
const CATALOG: &str = "
select coalesce(string_agg(item, E'\\n' order by item), '') from (
    select format('class %s %s %s %s', oid, relname, relkind, relacl) from pg_class
    union all select format('column %s %s %s %s', attrelid, attname, atttypid, attnotnull)
        from pg_attribute where attnum > 0
    union all select format('namespace %s %s', oid, nspname) from pg_namespace
    union all select format('function %s %s', oid, proname) from pg_proc
) as catalog(item)";

/// The catalog and all user rows as one text, to compare before and after.
pub async fn contents(client: &tokio_postgres::Client) -> String {
    let mut text: String = client.query_one(CATALOG, &[]).await.unwrap().get(0);
    let tables = client
        .query(
            "select format('%I.%I', table_schema, table_name) from information_schema.tables
             where table_type = 'BASE TABLE'
               and table_schema not in ('pg_catalog', 'information_schema')
             order by 1",
            &[],
        )
        .await
        .unwrap();
    for table in tables {
        let name: String = table.get(0);
        let rows: String = client
            .query_one(
                &format!("select coalesce(string_agg(t::text, E'\\n' order by t::text), '') from {name} t"),
                &[],
            )
            .await
            .unwrap()
            .get(0);
        text.push_str(&format!("\n{name}\n{rows}"));
    }
    text
}

/// A copy of the installed Debian server laid out like Debian's (`usr/lib/postgresql/N/{bin,lib}`,
/// `usr/share/postgresql/N`) under `root`, but without `pg_config` (as packages that ship
/// only the server) and without the extensions whose control or script files start with one
/// of `left_out` (a server without PostGIS, whatever this machine has installed). Returns its
/// bin directory, for `--pg-bin`.
pub fn installation_without(root: &Path, left_out: &[&str]) -> PathBuf {
    use std::os::unix::fs::{symlink, PermissionsExt};
    let real = binaries::find(None, None).expect("the tests need a PostgreSQL server");
    let share = PathBuf::from(format!("/usr/share/postgresql/{}", real.major));
    assert!(
        share.is_dir()
            && real
                .dir
                .ends_with(format!("lib/postgresql/{}/bin", real.major)),
        "this test copies a Debian installation; found {}",
        real.dir.display()
    );
    let prefix = root.join(format!("usr/lib/postgresql/{}", real.major));
    let bin = prefix.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    for tool in ["postgres", "initdb"] {
        std::fs::copy(real.dir.join(tool), bin.join(tool)).unwrap();
    }
    symlink(real.dir.parent().unwrap().join("lib"), prefix.join("lib")).unwrap();
    let copy = root.join(format!("usr/share/postgresql/{}", real.major));
    std::fs::create_dir_all(copy.join("extension")).unwrap();
    for entry in std::fs::read_dir(&share).unwrap() {
        let entry = entry.unwrap();
        if entry.file_name() != "extension" {
            symlink(entry.path(), copy.join(entry.file_name())).unwrap();
        }
    }
    for entry in std::fs::read_dir(share.join("extension")).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().into_owned();
        if !left_out.iter().any(|prefix| name.starts_with(prefix)) {
            symlink(entry.path(), copy.join("extension").join(&name)).unwrap();
        }
    }
    // The server runs as the `postgres` system user when the tests run as root.
    std::fs::set_permissions(root, std::fs::Permissions::from_mode(0o755)).unwrap();
    bin
}
