//! `schemagate backup`: a `pg_dump` archive of a live database, proved by restoring it.
//!
//! The source is read in one READ ONLY, REPEATABLE READ transaction whose snapshot is
//! exported to `pg_dump` (`--snapshot`): the archive, the catalog snapshot and the row counts
//! all describe the same instant, and nothing is written to the source. Verification
//! restores the archive with `pg_restore` into a fresh database on an ephemeral cluster of
//! the source's major (the source's roles created first, so owners and grants restore as
//! they were) and compares catalogs and, when data was dumped, each table's row count.

use crate::diff::{diff, Change, Snapshot};
use crate::dump::connect_args;
use crate::postgres::binaries::{self, WantedMajor};
use crate::postgres::connect::{self, Target};
use crate::postgres::{describe_error, ApplyAs, Database, ServerOptions};
use crate::sql::quote_ident;
use crate::Failure;
use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use tokio_postgres::Client;

/// What to back up and where.
pub struct Request<'a> {
    pub url: &'a str,
    /// The archive to write; `None`: `backups/<database>-<UTC timestamp>.dump`.
    pub out: Option<PathBuf>,
    pub schema_only: bool,
    /// Schemas left out besides the Supabase-managed ones.
    pub exclude_schemas: Vec<String>,
    /// Leave the Supabase-managed schemas in even when the database is a Supabase one.
    pub include_managed: bool,
    pub pg_bin: Option<PathBuf>,
    /// Verify this existing archive instead of writing one.
    pub verify_only: Option<PathBuf>,
    pub progress: bool,
}

/// What was backed up and what the restore showed.
pub struct Backup {
    pub path: PathBuf,
    pub bytes: u64,
    /// `PostgreSQL 15.8`.
    pub server: String,
    /// Schemas left out, in the order they were given: Supabase's (that exist), then the
    /// user's.
    pub excluded: Vec<String>,
    pub supabase: bool,
    pub schema_only: bool,
    pub verification: Verification,
}

/// The restore into a fresh database, compared with the source.
pub struct Verification {
    /// Where the archive was restored: `PostgreSQL 15.8 (ephemeral, …)`.
    pub restored_on: String,
    /// `pg_restore`'s errors (empty when it restored cleanly).
    pub restore_errors: Vec<String>,
    /// Catalog differences between the source and the restored database.
    pub differences: Vec<Change>,
    pub objects: usize,
    /// Per table (`schema.table`): rows in the source and in the restored database, for
    /// the tables whose counts differ.
    pub row_differences: Vec<(String, i64, i64)>,
    pub tables: usize,
    pub rows: i64,
}

impl Verification {
    pub fn passed(&self) -> bool {
        self.restore_errors.is_empty()
            && self.differences.is_empty()
            && self.row_differences.is_empty()
    }
}

/// The source as the exported snapshot shows it.
pub(crate) struct Source {
    pub server: String,
    pub major: u32,
    database: String,
    pub supabase: bool,
    /// Login and group roles the archive may name (owners, grants).
    roles: Vec<String>,
    pub excluded: Vec<String>,
    /// Left out of the comparison: `excluded`, and on Supabase every schema it manages (a
    /// fresh Supabase database has its own, e.g. `graphql`, which the archive leaves alone).
    pub not_compared: Vec<String>,
    catalog: Snapshot,
    /// `schema.table` → rows (only when data is dumped).
    rows: BTreeMap<String, i64>,
}

pub async fn run(request: &Request<'_>) -> Result<Backup, Failure> {
    let shown = crate::commands::redact::redact_url(request.url);
    let target = connect::parse(request.url)?;
    target.require_session(&shown, "a backup (its snapshot is shared with pg_dump)")?;
    let client = connect::connect(&target, &shown).await?;
    let snapshot_id = begin_snapshot(&client, &shown).await?;
    let source = read_source(&client, &request.into(), &shown).await?;
    let tools = binaries::pg_dump_for(source.major, request.pg_bin.as_deref())?;
    let path = match (&request.verify_only, &request.out) {
        (Some(existing), _) => existing.clone(),
        (None, Some(out)) => out.clone(),
        (None, None) => default_path(&source.database),
    };
    let data = !request.schema_only && request.verify_only.is_none();
    if request.verify_only.is_none() {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| {
                Failure::Environment(format!("cannot create {}: {e}", parent.display()))
            })?;
        }
        pg_dump(
            &tools.dir,
            &target,
            Some(&snapshot_id),
            &source.excluded,
            request.schema_only,
            &path,
            request.progress,
        )?;
    }
    // The snapshot was only needed while pg_dump ran; read-only, so nothing to keep.
    let _ = client.batch_execute("rollback").await;
    drop(client);
    let bytes = std::fs::metadata(&path)
        .map_err(|e| Failure::Environment(format!("cannot read {}: {e}", path.display())))?
        .len();
    // An existing archive holds rows when its table of contents lists table data (one that
    // cannot be read at all fails the restore below).
    let counted = data
        || (request.verify_only.is_some()
            && crate::dump::toc(&tools.dir, &path)
                .is_ok_and(|entries| entries.iter().any(|e| e.contains(" TABLE DATA "))));
    let verification = verify(&path, &source, &tools.dir, request, counted).await?;
    Ok(Backup {
        path,
        bytes,
        server: source.server,
        excluded: source.excluded,
        supabase: source.supabase,
        schema_only: !counted,
        verification,
    })
}

/// Starts the read-only transaction and exports its snapshot for `pg_dump`.
pub(crate) async fn begin_snapshot(client: &Client, shown: &str) -> Result<String, Failure> {
    client
        .batch_execute("begin isolation level repeatable read read only")
        .await
        .map_err(|e| reading(shown, &e))?;
    let row = client
        .query_one("select pg_export_snapshot()", &[])
        .await
        .map_err(|e| reading(shown, &e))?;
    Ok(row.get(0))
}

fn reading(shown: &str, error: &tokio_postgres::Error) -> Failure {
    Failure::Environment(format!("cannot read {shown}: {}", describe_error(error)))
}

/// What to leave out of a dump and whether rows are read.
pub(crate) struct Scope {
    pub schema_only: bool,
    pub exclude_schemas: Vec<String>,
    pub include_managed: bool,
}

impl From<&Request<'_>> for Scope {
    fn from(request: &Request<'_>) -> Scope {
        Scope {
            schema_only: request.schema_only,
            exclude_schemas: request.exclude_schemas.clone(),
            include_managed: request.include_managed,
        }
    }
}

/// Reads the source's facts, catalog and (unless schema only) row counts, in the
/// transaction `client` has open.
pub(crate) async fn read_source(
    client: &Client,
    request: &Scope,
    shown: &str,
) -> Result<Source, Failure> {
    let facts = client
        .query_one(
            "select current_setting('server_version'), \
                    (current_setting('server_version_num')::int / 10000), current_database()::text, \
                    exists (select from pg_namespace where nspname = 'auth') \
                      and exists (select from pg_roles where rolname = 'anon')",
            &[],
        )
        .await
        .map_err(|e| reading(shown, &e))?;
    let major: i32 = facts.get(1);
    let supabase: bool = facts.get(3);
    let schemas: Vec<String> = client
        .query("select nspname::text from pg_namespace", &[])
        .await
        .map_err(|e| reading(shown, &e))?
        .iter()
        .map(|row| row.get(0))
        .collect();
    let mut excluded: Vec<String> = Vec::new();
    if supabase && !request.include_managed {
        excluded.extend(
            crate::supabase::MANAGED_SCHEMAS
                .iter()
                .filter(|s| schemas.iter().any(|have| have == *s))
                .map(|s| s.to_string()),
        );
    }
    for schema in &request.exclude_schemas {
        if !excluded.contains(schema) {
            excluded.push(schema.clone());
        }
    }
    let mut not_compared = excluded.clone();
    if supabase && !request.include_managed {
        not_compared.extend(
            crate::supabase::MANAGED_SCHEMAS
                .iter()
                .map(|s| s.to_string()),
        );
    }
    let roles = client
        .query(
            "select rolname::text from pg_roles where rolname !~ '^pg_' order by 1",
            &[],
        )
        .await
        .map_err(|e| reading(shown, &e))?
        .iter()
        .map(|row| row.get(0))
        .collect();
    let catalog = Snapshot::take(client)
        .await
        .map_err(|e| reading(shown, &e))?;
    let rows = if request.schema_only {
        BTreeMap::new()
    } else {
        count_rows(client, &excluded)
            .await
            .map_err(|e| reading(shown, &e))?
    };
    Ok(Source {
        server: format!("PostgreSQL {}", facts.get::<_, String>(0)),
        major: u32::try_from(major).unwrap_or_default(),
        database: facts.get(2),
        supabase,
        roles,
        excluded,
        not_compared,
        catalog,
        rows,
    })
}

/// Rows of every table whose data `pg_dump` writes: plain tables and partitions outside the
/// left-out and system schemas, not an extension's own.
async fn count_rows(
    client: &Client,
    excluded: &[String],
) -> Result<BTreeMap<String, i64>, tokio_postgres::Error> {
    let tables = client
        .query(
            "select n.nspname::text, c.relname::text from pg_class c \
             join pg_namespace n on n.oid = c.relnamespace \
             where c.relkind = 'r' and n.nspname not in ('pg_catalog', 'information_schema') \
               and n.nspname !~ '^pg_' and not (n.nspname = any($1)) \
               and not exists (select from pg_depend d where d.classid = 'pg_class'::regclass \
                               and d.objid = c.oid and d.deptype = 'e') \
             order by 1, 2",
            &[&excluded],
        )
        .await?;
    let mut rows = BTreeMap::new();
    for table in tables {
        let (schema, name): (String, String) = (table.get(0), table.get(1));
        let count = client
            .query_one(
                &format!(
                    "select count(*) from only {}.{}",
                    quote_ident(&schema),
                    quote_ident(&name)
                ),
                &[],
            )
            .await?;
        rows.insert(format!("{schema}.{name}"), count.get(0));
    }
    Ok(rows)
}

/// `backups/<database>-<UTC timestamp>.dump`.
fn default_path(database: &str) -> PathBuf {
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
    let safe: String = database
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    Path::new("backups").join(format!("{safe}-{stamp}.dump"))
}

/// `pg_dump --schema-only` of `target` without `excluded`, for a rehearsal.
pub(crate) fn pg_dump_schema(
    bin_dir: &Path,
    target: &Target,
    excluded: &[String],
    path: &Path,
) -> Result<(), Failure> {
    pg_dump(bin_dir, target, None, excluded, true, path, false)
}

/// Runs `pg_dump` in custom format (on the exported snapshot when given); on a terminal, a progress line
/// with the archive's size so far.
fn pg_dump(
    bin_dir: &Path,
    target: &Target,
    snapshot_id: Option<&str>,
    excluded: &[String],
    schema_only: bool,
    path: &Path,
    progress: bool,
) -> Result<(), Failure> {
    let mut command = Command::new(bin_dir.join("pg_dump"));
    command.arg("--format=custom").arg("--file").arg(path);
    if let Some(snapshot_id) = snapshot_id {
        command.arg("--snapshot").arg(snapshot_id);
    }
    if schema_only {
        command.arg("--schema-only");
    }
    for schema in excluded {
        // A pattern to pg_dump: quoted, so the name is taken as it is.
        command
            .arg("--exclude-schema")
            .arg(format!("\"{}\"", schema.replace('"', "\"\"")));
    }
    connect_args(&mut command, &target.config);
    command.envs(target.tls.libpq_env());
    let mut child = command
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            Failure::Environment(format!(
                "cannot run pg_dump ({e}); it comes with the PostgreSQL client tools: install them or pass --pg-bin"
            ))
        })?;
    let started = Instant::now();
    let show = progress && std::io::stderr().is_terminal();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) => {
                if show {
                    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
                    eprint!(
                        "\rpg_dump: {} written, {} s",
                        human_size(size),
                        started.elapsed().as_secs()
                    );
                }
                std::thread::sleep(Duration::from_millis(250));
            }
            Err(e) => return Err(Failure::Environment(format!("pg_dump: {e}"))),
        }
    };
    if show {
        eprint!("\r\x1b[2K");
    }
    let mut stderr = String::new();
    if let Some(mut pipe) = child.stderr.take() {
        use std::io::Read;
        let _ = pipe.read_to_string(&mut stderr);
    }
    if !status.success() {
        let _ = std::fs::remove_file(path);
        return Err(Failure::Environment(format!(
            "pg_dump failed, nothing was written: {}",
            stderr.trim()
        )));
    }
    Ok(())
}

/// Restores `archive` into a fresh database of the source's major and compares.
async fn verify(
    archive: &Path,
    source: &Source,
    tools: &Path,
    request: &Request<'_>,
    count: bool,
) -> Result<Verification, Failure> {
    let (database, restore_errors) = restore_fresh(
        archive,
        source,
        tools,
        request.pg_bin.clone(),
        request.include_managed,
    )
    .await?;
    let restored = Snapshot::take(&database.admin).await.map_err(|e| {
        Failure::Environment(format!(
            "cannot read the restored database's catalog: {}",
            describe_error(&e)
        ))
    })?;
    let before = comparable(source.catalog.clone(), source);
    let after = comparable(restored, source);
    let differences = diff(&before, &after);
    let (row_differences, rows) = if count {
        compare_rows(&database.admin, &source.rows).await?
    } else {
        (Vec::new(), 0)
    };
    Ok(Verification {
        restored_on: database.description.clone(),
        restore_errors,
        differences,
        objects: before.objects.len(),
        row_differences,
        tables: if count { source.rows.len() } else { 0 },
        rows,
    })
}

/// A fresh database on an ephemeral cluster of the source's major (with the Supabase
/// prelude for a Supabase source whose managed schemas are left out), the source's roles
/// created, `archive` restored: the database and `pg_restore`'s errors.
pub(crate) async fn restore_fresh(
    archive: &Path,
    source: &Source,
    tools: &Path,
    pg_bin: Option<PathBuf>,
    include_managed: bool,
) -> Result<(Database, Vec<String>), Failure> {
    let options = ServerOptions {
        pg_bin,
        pg_major: Some(WantedMajor::flag(source.major)),
        supabase: source.supabase && !include_managed,
        apply_as: ApplyAs::Superuser,
        lock_timeout: Duration::from_secs(60),
        statement_timeout: Duration::ZERO,
        ..ServerOptions::default()
    };
    let database = crate::postgres::open(&options).await?;
    create_roles(&database, &source.roles).await?;
    let errors = pg_restore(tools, &database, archive, options.supabase)?;
    Ok((database, errors))
}

/// `snapshot` without what the source's comparison leaves out.
pub(crate) fn comparable(snapshot: Snapshot, source: &Source) -> Snapshot {
    without_schemas(snapshot, &source.not_compared)
}

/// The source's roles, so owners and grants in the archive restore as they were.
async fn create_roles(database: &Database, roles: &[String]) -> Result<(), Failure> {
    let existing: Vec<String> = database
        .admin
        .query("select rolname::text from pg_roles", &[])
        .await
        .map_err(|e| Failure::Environment(format!("cannot read roles: {}", describe_error(&e))))?
        .iter()
        .map(|row| row.get(0))
        .collect();
    for role in roles.iter().filter(|r| !existing.contains(r)) {
        database
            .admin
            .batch_execute(&format!("create role {} nologin", quote_ident(role)))
            .await
            .map_err(|e| {
                Failure::Environment(format!(
                    "cannot create role {role} for the restore: {}",
                    describe_error(&e)
                ))
            })?;
    }
    Ok(())
}

/// `pg_restore` into `database`; its error lines (none when the restore was clean). An
/// archive it cannot read at all is an error line too: the backup does not verify.
///
/// The schema goes first and the rows after it with triggers off (the restore runs as the
/// cluster's superuser), so foreign keys exist before rows arrive and are not checked: rows
/// that reference a left-out schema (`auth.users`) are the source's, and whether they
/// match there is not the archive's to prove. On a fresh Supabase database, what it already
/// has (`supabase_realtime`) is not an error either.
fn pg_restore(
    tools: &Path,
    database: &Database,
    archive: &Path,
    supabase: bool,
) -> Result<Vec<String>, Failure> {
    let mut errors = Vec::new();
    for sections in [
        &["--section=pre-data", "--section=post-data"][..],
        &["--section=data", "--disable-triggers"],
    ] {
        let mut command = Command::new(tools.join("pg_restore"));
        command.args(sections).arg(archive);
        connect_args(&mut command, &database.connection.config);
        command.envs(database.connection.tls.libpq_env());
        let output = command.output().map_err(|e| {
            Failure::Environment(format!(
                "cannot run pg_restore ({e}); it comes with the PostgreSQL client tools: install them or pass --pg-bin"
            ))
        })?;
        let stderr = String::from_utf8_lossy(&output.stderr);
        let reported: Vec<&str> = stderr
            .lines()
            .filter(|line| line.contains("error:") || line.contains("ERROR:"))
            .collect();
        if !output.status.success() && reported.is_empty() {
            errors.push(format!("pg_restore failed: {}", stderr.trim()));
        }
        errors.extend(
            reported
                .into_iter()
                .filter(|line| !(supabase && line.contains("already exists")))
                .map(|line| line.trim().to_string()),
        );
    }
    Ok(errors)
}

async fn compare_rows(
    restored: &Client,
    source: &BTreeMap<String, i64>,
) -> Result<(Vec<(String, i64, i64)>, i64), Failure> {
    let mut differences = Vec::new();
    let mut total = 0;
    for (table, &expected) in source {
        total += expected;
        let (schema, name) = table.split_once('.').unwrap_or(("public", table));
        let sql = format!(
            "select count(*) from only {}.{}",
            quote_ident(schema),
            quote_ident(name)
        );
        // A table the restore did not create counts as empty; the catalog comparison says why.
        let found: i64 = match restored.query_one(&sql, &[]).await {
            Ok(row) => row.get(0),
            Err(_) => 0,
        };
        if found != expected {
            differences.push((table.clone(), expected, found));
        }
    }
    Ok((differences, total))
}

/// The snapshot without the objects of `schemas` (and without the CLI's and schemagate's
/// own bookkeeping, which a restore may or may not carry).
fn without_schemas(mut snapshot: Snapshot, schemas: &[String]) -> Snapshot {
    snapshot.objects.retain(|key, attributes| {
        let schema = match key.kind.as_str() {
            "extension" => attributes.get("schema").map(String::as_str),
            "schema" => Some(key.identity.as_str()),
            "schema grant" => key.identity.split(" to ").next(),
            "default privileges" => key
                .identity
                .split_once(" in ")
                .map(|(_, rest)| rest.split(" on ").next().unwrap_or(rest)),
            _ => key.identity.split('.').next(),
        };
        !schema.is_some_and(|s| schemas.iter().any(|x| x == s))
    });
    snapshot
}

/// `1.2 MB`, `340 kB`, `12 B`.
pub fn human_size(bytes: u64) -> String {
    match bytes {
        b if b >= 1_000_000 => format!("{:.1} MB", b as f64 / 1e6),
        b if b >= 1_000 => format!("{} kB", b / 1_000),
        b => format!("{b} B"),
    }
}

/// The command that restores the archive into the database of `$DATABASE_URL`.
pub fn restore_command(path: &Path) -> String {
    format!(
        "pg_restore --no-owner --dbname \"$DATABASE_URL\" {}",
        shell_quote(&path.display().to_string())
    )
}

fn shell_quote(text: &str) -> String {
    if text
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "/._-+:=".contains(c))
    {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::ObjectKey;

    #[test]
    fn left_out_schemas_leave_the_comparison() {
        let mut snapshot = Snapshot::default();
        for (kind, identity, schema) in [
            ("table", "auth.users", None),
            ("table", "public.notes", None),
            ("schema", "auth", None),
            ("schema grant", "auth to anon", None),
            ("extension", "pgcrypto", Some("extensions")),
            ("extension", "citext", Some("public")),
            ("default privileges", "postgres in auth on tables", None),
        ] {
            let mut attributes = BTreeMap::new();
            if let Some(schema) = schema {
                attributes.insert("schema".to_string(), schema.to_string());
            }
            snapshot.objects.insert(
                ObjectKey {
                    kind: kind.to_string(),
                    identity: identity.to_string(),
                },
                attributes,
            );
        }
        let kept = without_schemas(snapshot, &["auth".to_string(), "extensions".to_string()]);
        let names: Vec<String> = kept.objects.keys().map(ToString::to_string).collect();
        assert_eq!(names, ["extension citext", "table public.notes"]);
    }

    #[test]
    fn restore_command_quotes_odd_paths() {
        assert_eq!(
            restore_command(Path::new("backups/app-1.dump")),
            "pg_restore --no-owner --dbname \"$DATABASE_URL\" backups/app-1.dump"
        );
        assert_eq!(
            restore_command(Path::new("my backups/it's.dump")),
            "pg_restore --no-owner --dbname \"$DATABASE_URL\" 'my backups/it'\\''s.dump'"
        );
    }
}
