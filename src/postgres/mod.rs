//! A real PostgreSQL to apply migrations to: an ephemeral cluster started from local server
//! binaries (or a scratch database on a server given by URL), the Supabase prelude, the
//! extension emulations, and the apply engine.

pub mod apply;
pub mod baseline;
pub mod binaries;
pub mod catalog;
pub mod cause;
pub mod cleanup;
pub mod cluster;
pub mod connect;
pub mod conninfo;
pub mod overlay;
pub mod password;
pub mod progress;
pub mod role;
pub mod scratch;
pub mod service;
pub mod sibling;
pub mod tls;
pub mod trace;

use crate::Failure;
use cluster::{Cluster, DataSource};
use connect::Target;
pub use role::ApplyAs;
use scratch::Scratch;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio_postgres::Client;

/// What a fresh Supabase project has before its first migration (roles, auth, storage, …).
pub const SUPABASE_PRELUDE: &str = include_str!("prelude/supabase.sql");

/// How to get a database.
#[derive(Debug, Clone, Default)]
pub struct ServerOptions {
    pub database_url: Option<String>,
    pub pg_bin: Option<PathBuf>,
    pub pg_major: Option<binaries::WantedMajor>,
    /// Apply the Supabase prelude first.
    pub supabase: bool,
    pub apply_as: ApplyAs,
    pub lock_timeout: Duration,
    pub statement_timeout: Duration,
}

/// Keeps the server or scratch database alive while the client is used; dropping it
/// stops the server or drops the scratch database.
#[derive(Debug)]
#[allow(dead_code, reason = "held only for its Drop")]
enum Holder {
    Cluster(Cluster),
    Scratch(Box<Scratch>),
    /// Another database on an ephemeral cluster held elsewhere (see `sibling.rs`).
    Sibling(Box<sibling::Held>),
}

/// A database ready for migrations: prelude applied, connected with the timeouts as
/// session defaults (so `RESET ALL` between files keeps them).
pub struct Database {
    /// The session migrations run on: it logged in as the apply role, so nothing a migration
    /// runs (`RESET ROLE`, `SET SESSION AUTHORIZATION`) leads back to a superuser.
    pub client: Client,
    /// A session of the server's superuser (with `--database-url`, the URL's user) for what
    /// migrations must not reach: the change tracker.
    pub admin: Client,
    /// What it runs on and as whom, for messages:
    /// `PostgreSQL 15.18 (ephemeral, /usr/lib/postgresql/15/bin, as postgres)`.
    pub description: String,
    /// The server part of the description, for siblings: `PostgreSQL 15.18 (ephemeral, …`.
    server: String,
    pub supabase: bool,
    /// How the admin session reaches it (for `pg_dump`); holds the password of a
    /// `--database-url`.
    pub connection: Target,
    _holder: Holder,
}

/// `SQLSTATE message` of a server error, or the client error's text.
pub fn describe_error(error: &tokio_postgres::Error) -> String {
    match error.as_db_error() {
        Some(db) => format!("{} {}", db.code().code(), db.message()),
        None => error.to_string(),
    }
}

fn session_options(options: &ServerOptions) -> String {
    format!(
        "-c lock_timeout={} -c statement_timeout={} -c client_min_messages=warning",
        options.lock_timeout.as_millis(),
        options.statement_timeout.as_millis()
    )
}

/// Starts (or reaches) the database described by `options`.
pub async fn open(options: &ServerOptions) -> Result<Database, Failure> {
    match &options.database_url {
        Some(url) => open_url(url, options).await,
        None => open_ephemeral(options).await,
    }
}

async fn open_url(url: &str, options: &ServerOptions) -> Result<Database, Failure> {
    open_scratch(Scratch::create(url).await?, options).await
}

/// A scratch database made ready for migrations: the prelude, then the apply role's
/// ownerships (or, with `--apply-as superuser`, the URL's user applies).
async fn open_scratch(scratch: Scratch, options: &ServerOptions) -> Result<Database, Failure> {
    let admin = connect::connect(&scratch.config, "the scratch database").await?;
    if options.supabase {
        run_prelude(&admin).await?;
    }
    let (apply_role, apply_config) = match options.apply_as {
        ApplyAs::Migrator => {
            role::run(&admin, &role::database_sql(&scratch.role)).await?;
            (scratch.role.clone(), scratch.role_config.clone())
        }
        ApplyAs::Superuser => (url_user(&scratch.config), scratch.config.clone()),
    };
    let client = connect_applying(apply_config, options, "the scratch database").await?;
    let version = server_version(&client).await;
    let server = format!(
        "PostgreSQL {version} (scratch database {} via --database-url",
        scratch.name
    );
    Ok(Database {
        connection: scratch.config.clone(),
        client,
        admin,
        description: describe(&server, &apply_role, options.apply_as),
        server,
        supabase: options.supabase,
        _holder: Holder::Scratch(Box::new(scratch)),
    })
}

/// `{server}, as {role})`, saying when that is a superuser.
fn describe(server: &str, role: &str, apply_as: ApplyAs) -> String {
    match apply_as {
        ApplyAs::Migrator => format!("{server}, as {role})"),
        ApplyAs::Superuser => format!("{server}, as the superuser {role})"),
    }
}

fn url_user(target: &Target) -> String {
    target.config.get_user().unwrap_or("?").to_string()
}

/// The session migrations run on, with the timeouts as session defaults.
async fn connect_applying(
    mut target: Target,
    options: &ServerOptions,
    what: &str,
) -> Result<Client, Failure> {
    target.config.options(session_options(options));
    connect::connect(&target, what).await
}

async fn server_version(client: &Client) -> String {
    client
        .query_one("show server_version", &[])
        .await
        .ok()
        .and_then(|row| row.try_get::<_, String>(0).ok())
        .unwrap_or_else(|| "?".to_string())
}

async fn run_prelude(client: &Client) -> Result<(), Failure> {
    client.batch_execute(SUPABASE_PRELUDE).await.map_err(|e| {
        Failure::Environment(format!(
            "the Supabase prelude failed on this server: {}; use a plain PostgreSQL server or set prelude = \"none\" in schemagate.toml",
            describe_error(&e)
        ))
    })
}

/// The user's cache directory for schemagate: `$XDG_CACHE_HOME/schemagate`, else
/// `~/.cache/schemagate`.
pub fn cache_root() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache")))?;
    Some(base.join("schemagate"))
}

/// The cache key of a prepared data directory: server, prelude, emulations, tool version.
fn cache_key(bin: &binaries::PgBin, options: &ServerOptions) -> String {
    let mut hasher = Sha256::new();
    hasher.update(env!("CARGO_PKG_VERSION"));
    hasher.update(bin.dir.to_string_lossy().as_bytes());
    hasher.update(&bin.version);
    hasher.update(role::cluster_sql());
    hasher.update(role::database_sql(role::MIGRATOR));
    if options.supabase {
        hasher.update(SUPABASE_PRELUDE);
        hasher.update(role::supabase_admin_sql());
    }
    for (name, script) in overlay::EMULATIONS {
        hasher.update(name);
        hasher.update(script);
        hasher.update(overlay::creator_grants(name));
    }
    let digest = hasher.finalize();
    let short: String = digest[..6].iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "pg{}-{}-{short}",
        bin.version,
        if options.supabase {
            "supabase"
        } else {
            "plain"
        }
    )
}

/// A cached data directory that is complete and belongs to this key; anything else there
/// (half-written, another version's, damaged) is removed so it gets rebuilt.
fn cached_data_dir(entry: &Path, key: &str, major: u32) -> Option<PathBuf> {
    let data = entry.join("data");
    let valid = std::fs::read_to_string(entry.join("READY")).is_ok_and(|k| k.trim() == key)
        && std::fs::read_to_string(data.join("PG_VERSION"))
            .is_ok_and(|v| v.trim() == major.to_string())
        && data.join("global/pg_control").is_file()
        && data.join("base").is_dir()
        && !data.join("postmaster.pid").exists();
    if valid {
        Some(data)
    } else {
        if entry.exists() {
            let _ = std::fs::remove_dir_all(entry);
        }
        None
    }
}

async fn open_ephemeral(options: &ServerOptions) -> Result<Database, Failure> {
    let bin = binaries::find(options.pg_bin.as_deref(), options.pg_major.as_ref())?;
    let owner = cluster::server_owner()?;
    let key = cache_key(&bin, options);
    if let Some(root) = cache_root() {
        cleanup::sweep(&root);
    }
    let entry = cache_root().map(|root| root.join(&key));
    let cached = entry
        .as_ref()
        .and_then(|entry| cached_data_dir(entry, &key, bin.major));
    // A cached copy that does not start (e.g. a damaged pg_control) is discarded and rebuilt.
    let cached = match cached.map(|data| Cluster::start(&bin, DataSource::Copy(&data), owner, true))
    {
        Some(Ok(cluster)) => Some(cluster),
        Some(Err(error)) => {
            if let Some(entry) = &entry {
                eprintln!(
                    "note: the cached data directory {} does not start ({error}); discarded, rebuilding it",
                    entry.display()
                );
                let _ = std::fs::remove_dir_all(entry);
            }
            None
        }
        None => None,
    };
    let cluster = match (cached, &entry) {
        (Some(cluster), _) => cluster,
        (None, Some(entry)) => {
            let fresh = prepare_fresh(&bin, owner, options).await?;
            match save_to_cache(fresh, entry, &key) {
                Ok(data) => Cluster::start(&bin, DataSource::Copy(&data), owner, true)?,
                Err(error) => {
                    eprintln!("note: could not cache the prepared data directory ({error}); later runs will run initdb again");
                    prepare_fresh(&bin, owner, options).await?
                }
            }
        }
        (None, None) => prepare_fresh(&bin, owner, options).await?,
    };
    let apply_role = options.apply_as.cluster_role();
    let admin = connect::connect(
        &Target::local(cluster.config("postgres")),
        "the ephemeral server",
    )
    .await?;
    let client = connect_applying(
        Target::local(cluster.config_as("postgres", apply_role)),
        options,
        "the ephemeral server",
    )
    .await?;
    let server = format!(
        "PostgreSQL {} (ephemeral, {}",
        bin.version,
        bin.dir.display()
    );
    Ok(Database {
        connection: Target::local(cluster.config("postgres")),
        client,
        admin,
        description: describe(&server, apply_role, options.apply_as),
        server,
        supabase: options.supabase,
        _holder: Holder::Cluster(cluster),
    })
}

/// A cluster from a fresh initdb: the apply role, then the `postgres` database prepared.
async fn prepare_fresh(
    bin: &binaries::PgBin,
    owner: Option<cluster::Owner>,
    options: &ServerOptions,
) -> Result<Cluster, Failure> {
    let cluster = Cluster::start(bin, DataSource::Initdb, owner, true)?;
    let client = connect::connect(
        &Target::local(cluster.config("postgres")),
        "the ephemeral server",
    )
    .await?;
    role::run(&client, &role::cluster_sql()).await?;
    prepare_database(&client, options.supabase).await?;
    Ok(cluster)
}

/// A fresh database of an ephemeral cluster made ready for migrations, on a superuser's
/// session connected to it: the prelude when asked, then the apply role's ownerships.
async fn prepare_database(client: &Client, supabase: bool) -> Result<(), Failure> {
    if supabase {
        run_prelude(client).await?;
    }
    role::run(client, &role::database_sql(role::MIGRATOR)).await?;
    if supabase {
        role::run(client, &role::supabase_admin_sql()).await?;
    }
    Ok(())
}

/// Stops the cluster cleanly and stores its data directory under `entry` (written to a
/// staging directory, then renamed, so a half-written cache is never used).
fn save_to_cache(cluster: Cluster, entry: &Path, key: &str) -> Result<PathBuf, String> {
    let parent = entry.parent().ok_or("no cache directory")?;
    std::fs::create_dir_all(parent)
        .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    let staging = parent.join(format!(".{key}.{}.tmp", std::process::id()));
    let _ = std::fs::remove_dir_all(&staging);
    let guard = cleanup::register(cleanup::Resource::Dir(staging.clone()));
    let saved = cluster.save_data_dir(&staging.join("data")).and_then(|()| {
        std::fs::write(staging.join("READY"), key)?;
        std::fs::rename(&staging, entry)
    });
    let _ = std::fs::remove_dir_all(&staging);
    drop(guard);
    match saved {
        Ok(()) => Ok(entry.join("data")),
        // Another run cached the same thing first.
        Err(_) if entry.join("READY").exists() => Ok(entry.join("data")),
        Err(error) => Err(error.to_string()),
    }
}
