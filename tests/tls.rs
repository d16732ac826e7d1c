//! TLS with libpq's `sslmode` semantics against a real PostgreSQL with `ssl = on`, TCP on
//! 127.0.0.1 and only `hostssl` lines in pg_hba.conf, using a certificate chain generated here
//! with the `openssl` command (a CA, a server certificate naming `localhost` only, a client
//! certificate, and a second CA that signed nothing the server has).

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use support::pg::{Setup, TestServer};

/// Plain connections have no line, so they are refused with the server's reason; `certuser`
/// must show a client certificate, `pwuser` a password.
const HBA: &str = "local all all trust\n\
                   hostssl all certuser 127.0.0.1/32 cert\n\
                   hostssl all pwuser 127.0.0.1/32 scram-sha-256\n\
                   hostssl all all 127.0.0.1/32 trust\n";

/// Certificates and keys in a temporary directory.
struct Pki {
    dir: tempfile::TempDir,
}

impl Pki {
    fn generate() -> Pki {
        let pki = Pki {
            dir: tempfile::tempdir().expect("a directory for the certificates"),
        };
        pki.authority("ca");
        pki.authority("other-ca");
        pki.leaf(
            "server",
            "localhost",
            "subjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth\n",
        );
        pki.leaf("client", "certuser", "extendedKeyUsage=clientAuth\n");
        pki
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn read(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.path(name)).expect("read a generated file")
    }

    fn authority(&self, name: &str) {
        self.openssl(&[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "2",
            "-subj",
            &format!("/CN=schemagate test {name}"),
            "-keyout",
            &format!("{name}.key"),
            "-out",
            &format!("{name}.crt"),
        ]);
    }

    /// A key and a certificate for `common_name` signed by `ca`.
    fn leaf(&self, name: &str, common_name: &str, extensions: &str) {
        let extfile = format!("{name}.ext");
        std::fs::write(
            self.path(&extfile),
            format!("basicConstraints=CA:FALSE\n{extensions}"),
        )
        .expect("write the extensions");
        self.openssl(&[
            "req",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-subj",
            &format!("/CN={common_name}"),
            "-keyout",
            &format!("{name}.key"),
            "-out",
            &format!("{name}.csr"),
        ]);
        self.openssl(&[
            "x509",
            "-req",
            "-in",
            &format!("{name}.csr"),
            "-CA",
            "ca.crt",
            "-CAkey",
            "ca.key",
            "-days",
            "2",
            "-extfile",
            &extfile,
            "-out",
            &format!("{name}.crt"),
        ]);
    }

    fn openssl(&self, args: &[&str]) {
        let output = Command::new("openssl")
            .args(args)
            .current_dir(self.dir.path())
            .output()
            .expect("the tests need the openssl command to generate certificates");
        assert!(
            output.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

/// A server that speaks only TLS on 127.0.0.1, and the port it listens on.
fn tls_server(pki: &Pki) -> (TestServer, u16) {
    let port = support::pg::free_port();
    let settings = "listen_addresses = '127.0.0.1'\nssl = on\n\
         ssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\nssl_ca_file = 'ca.crt'\n";
    let (cert, key, ca) = (
        pki.read("server.crt"),
        pki.read("server.key"),
        pki.read("ca.crt"),
    );
    let server = TestServer::start_with(&Setup {
        port: Some(port),
        settings,
        hba: Some(HBA),
        files: &[("server.crt", &cert), ("server.key", &key), ("ca.crt", &ca)],
        ..Setup::default()
    });
    (server, port)
}

/// `schemagate inspect` against `url` with the `PGSSL*` variables in `env`, and a home
/// without ~/.postgresql, so only what the test passes counts.
fn inspect(url: &str, env: &[(&str, &Path)]) -> Output {
    inspect_with(url, env, |_| {})
}

/// [`inspect`] with a home directory `prepare` fills first.
fn inspect_with(url: &str, env: &[(&str, &Path)], prepare: impl Fn(&Path)) -> Output {
    let home = tempfile::tempdir().expect("a home directory");
    let mut command = support::schemagate();
    command
        .args(["inspect", "--database-url", url, "--format", "json"])
        .current_dir(home.path())
        .env("HOME", home.path());
    prepare(home.path());
    for (name, value) in env {
        command.env(name, value);
    }
    command.output().expect("run schemagate")
}

fn stderr(output: &Output) -> String {
    support::text(&output.stderr)
}

#[test]
fn sslmodes_check_what_libpq_checks() {
    let pki = Pki::generate();
    let (_server, port) = tls_server(&pki);
    let url = |host: &str, query: &str| {
        format!("postgresql://postgres:s3cret@{host}:{port}/postgres?{query}")
    };
    let ca = pki.path("ca.crt");
    let other_ca = pki.path("other-ca.crt");

    // require: encrypted, the certificate unchecked (no root certificate anywhere).
    support::assert_exit(&inspect(&url("127.0.0.1", "sslmode=require"), &[]), 0);
    // prefer (the default) takes the TLS the server offers.
    support::assert_exit(&inspect(&url("127.0.0.1", ""), &[]), 0);

    // verify-full: the right CA and the name on the certificate.
    let verified = format!("sslmode=verify-full&sslrootcert={}", ca.display());
    support::assert_exit(&inspect(&url("localhost", &verified), &[]), 0);
    // The same as a key/value string.
    let keywords = format!(
        "host=localhost port={port} user=postgres password='s3 cret' dbname=postgres sslmode=verify-full sslrootcert='{}'",
        ca.display()
    );
    support::assert_exit(&inspect(&keywords, &[]), 0);
    // The same from the environment.
    support::assert_exit(
        &inspect(
            &url("localhost", ""),
            &[
                ("PGSSLMODE", Path::new("verify-full")),
                ("PGSSLROOTCERT", &ca),
            ],
        ),
        0,
    );

    // verify-full with a CA that did not sign the server's certificate.
    let wrong_ca = inspect(
        &url(
            "localhost",
            &format!("sslmode=verify-full&sslrootcert={}", other_ca.display()),
        ),
        &[],
    );
    support::assert_exit(&wrong_ca, 3);
    let message = stderr(&wrong_ca);
    assert!(message.contains("UnknownIssuer"), "{message}");
    assert!(message.contains("sslrootcert"), "{message}");
    assert!(
        !message.contains("s3cret"),
        "the password is never printed: {message}"
    );

    // verify-full with a host the certificate does not name; verify-ca does not look.
    let wrong_host = inspect(&url("127.0.0.1", &verified), &[]);
    support::assert_exit(&wrong_host, 3);
    assert!(
        stderr(&wrong_host).contains("not valid for name \"127.0.0.1\""),
        "{}",
        stderr(&wrong_host)
    );
    let chain_only = format!("sslmode=verify-ca&sslrootcert={}", ca.display());
    support::assert_exit(&inspect(&url("127.0.0.1", &chain_only), &[]), 0);
    // require with a root certificate checks the chain, as libpq does.
    let require_checked = format!("sslmode=require&sslrootcert={}", other_ca.display());
    support::assert_exit(&inspect(&url("127.0.0.1", &require_checked), &[]), 3);
}

#[test]
fn a_plain_connection_to_a_tls_only_server_fails_with_the_servers_reason() {
    let pki = Pki::generate();
    let (_server, port) = tls_server(&pki);
    let url = format!("postgresql://postgres@127.0.0.1:{port}/postgres?sslmode=disable");
    let output = inspect(&url, &[]);
    support::assert_exit(&output, 3);
    let message = stderr(&output);
    assert!(
        message.contains("no pg_hba.conf entry") && message.contains("no encryption"),
        "{message}"
    );
    // allow: plain first, then TLS when the server refuses.
    let allow = format!("postgresql://postgres@127.0.0.1:{port}/postgres?sslmode=allow");
    support::assert_exit(&inspect(&allow, &[]), 0);
}

#[test]
fn a_client_certificate_is_accepted_where_pg_hba_asks_for_one() {
    let pki = Pki::generate();
    let (server, port) = tls_server(&pki);
    server.execute("postgres", "create role certuser login");
    let url = format!("postgresql://certuser@localhost:{port}/postgres?sslmode=verify-full");
    let ca = pki.path("ca.crt");
    let (cert, key) = (pki.path("client.crt"), pki.path("client.key"));
    let with_certificate = inspect(
        &url,
        &[
            ("PGSSLROOTCERT", &ca),
            ("PGSSLCERT", &cert),
            ("PGSSLKEY", &key),
        ],
    );
    support::assert_exit(&with_certificate, 0);

    let without = inspect(&url, &[("PGSSLROOTCERT", &ca)]);
    support::assert_exit(&without, 3);
    assert!(
        stderr(&without).contains("certificate authentication failed")
            || stderr(&without).contains("requires a valid client certificate"),
        "{}",
        stderr(&without)
    );
}

#[test]
fn scratch_databases_and_pg_dump_go_over_the_same_tls() {
    let pki = Pki::generate();
    let (_server, port) = tls_server(&pki);
    let project = support::supabase_project(&[(
        "20240101000000_notes.sql",
        "create table public.notes (id bigint primary key, body text);\n",
    )]);
    let url = format!(
        "postgresql://postgres@localhost:{port}/postgres?sslmode=verify-full&sslrootcert={}",
        pki.path("ca.crt").display()
    );
    let output = support::run_in(
        project.path(),
        &[
            "dump-schema",
            ".",
            "--database-url",
            &url,
            "-o",
            "schema.sql",
        ],
    );
    support::assert_exit(&output, 0);
    let sql = std::fs::read_to_string(project.path().join("schema.sql")).unwrap();
    assert!(sql.contains("CREATE TABLE public.notes"), "{sql}");
}

#[test]
fn passwords_come_from_pgpassword_or_the_password_file() {
    let pki = Pki::generate();
    let (server, port) = tls_server(&pki);
    server.execute("postgres", "create role pwuser login password 'pw:s3cret'");
    let url = format!("postgresql://pwuser@127.0.0.1:{port}/postgres");

    let without = inspect(&url, &[]);
    support::assert_exit(&without, 3);
    assert!(
        stderr(&without).contains("password"),
        "{}",
        stderr(&without)
    );

    support::assert_exit(&inspect(&url, &[("PGPASSWORD", Path::new("pw:s3cret"))]), 0);

    let pgpass = |mode: u32| {
        move |home: &Path| {
            use std::os::unix::fs::PermissionsExt;
            let file = home.join(".pgpass");
            let line = format!("127.0.0.1:{port}:postgres:pwuser:pw\\:s3cret\n");
            std::fs::write(&file, line).unwrap();
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(mode)).unwrap();
        }
    };
    support::assert_exit(&inspect_with(&url, &[], pgpass(0o600)), 0);
    // A password file others can read is ignored, as libpq does.
    let exposed = inspect_with(&url, &[], pgpass(0o644));
    support::assert_exit(&exposed, 3);
    assert!(
        stderr(&exposed).contains("readable by others"),
        "{}",
        stderr(&exposed)
    );
}
