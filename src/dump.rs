//! The schema a folder's migrations leave, as one SQL file (`dump-schema`, `squash`), and
//! the proof that it is the same schema.
//!
//! `pg_dump` writes what the applied database holds; objects a fresh database already has
//! (the Supabase prelude: roles' schemas, `auth.users`, `storage.objects`, preinstalled
//! extensions) are left out by comparing the archive's table of contents with that of a
//! database holding only the prelude, so what the migrations added to those schemas
//! (policies on `storage.objects`, triggers on `auth.users`) stays in. The result is applied
//! to another fresh database and its catalog snapshot compared with the original's.

use crate::diff::{diff, Change, Snapshot};
use crate::postgres::{describe_error, Database, ServerOptions};
use crate::sql::quote_ident;
use crate::Failure;
use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;
use tokio_postgres::config::Host;

/// Schemas that record which migrations ran (the Supabase CLI's history, schemagate's own
/// change log): bookkeeping of the apply, not part of the schema.
pub(crate) const BOOKKEEPING_SCHEMAS: [&str; 2] = ["supabase_migrations", "schemagate_apply"];

fn is_bookkeeping(words: &str) -> bool {
    words
        .split([' ', '.'])
        .any(|word| BOOKKEEPING_SCHEMAS.contains(&word))
}

/// A verified dump.
pub struct Dump {
    /// The SQL, ready to apply to a fresh database (prelude included where it applies).
    pub sql: String,
    /// How a fresh database with the dump applied differs from the migrated one (empty:
    /// the same catalog).
    pub differences: Vec<Change>,
    /// Objects in the migrated database's catalog, for the summary.
    pub objects: usize,
}

/// Dumps the schema of `database` (the folder applied to it), with `pg_dump` and
/// `pg_restore` from `bin_dir`, and verifies it on a sibling prepared with `server`.
pub async fn dump(
    database: &Database,
    server: &ServerOptions,
    bin_dir: &Path,
) -> Result<Dump, Failure> {
    let work = tempfile::Builder::new()
        .prefix("schemagate-dump-")
        .tempdir()
        .map_err(|e| Failure::Environment(format!("cannot create a temporary directory: {e}")))?;
    let baseline = database.create_sibling(server).await?;
    let baseline_archive = work.path().join("baseline.dump");
    pg_dump(bin_dir, &baseline, &baseline_archive)?;
    let baseline_entries: BTreeSet<String> = toc(bin_dir, &baseline_archive)?
        .iter()
        .map(|line| entry_key(line).to_string())
        .collect();
    let baseline_snapshot = snapshot(&baseline, "a database with only the prelude").await?;
    drop(baseline);
    let original = snapshot(database, "the migrated database").await?;
    let from_baseline = diff(&baseline_snapshot, &original);
    // What the migrations replaced in the starting schemas (`create or replace function
    // storage.foldername`): its entry is in both tables of contents, but it must be dumped.
    let replaced: Vec<String> = from_baseline
        .iter()
        .filter_map(|change| match change {
            Change::Changed { kind, identity, .. } if kind == "policy" || kind == "trigger" => {
                let mut parts = identity.splitn(3, '.');
                let (schema, table, name) = (parts.next()?, parts.next()?, parts.next()?);
                Some(format!("{} {schema} {table} {name} ", kind.to_uppercase()))
            }
            Change::Changed { kind, identity, .. }
                if matches!(kind.as_str(), "function" | "procedure" | "view") =>
            {
                // The table of contents names functions by argument types only
                // (`foldername(text)`): every overload of the name is dumped.
                let (schema, name) = identity.split_once('.')?;
                let prefix = match name.split_once('(') {
                    Some((function, _)) => format!("{function}("),
                    None => format!("{name} "),
                };
                Some(format!("{} {schema} {prefix}", kind.to_uppercase()))
            }
            _ => None,
        })
        .collect();

    // Changed default privileges are dumped whole, after the starting ones are reset: those
    // of the roles the migrations act for (the superuser's, which the prelude set, are
    // beyond the apply role's reach and the same in every fresh database).
    let default_privileges_changed = from_baseline
        .iter()
        .any(|change| change.key().0 == "default privileges");
    let acted_for = roles_acted_for(database).await?;

    let archive = work.path().join("schema.dump");
    pg_dump(bin_dir, database, &archive)?;
    let kept: Vec<String> = toc(bin_dir, &archive)?
        .into_iter()
        .filter(|line| {
            let key = entry_key(line);
            let new = !baseline_entries.contains(key);
            let wanted = new
                || replaced.iter().any(|r| key.starts_with(r.as_str()))
                || (default_privileges_changed
                    && key.starts_with("DEFAULT ACL ")
                    && key
                        .rsplit(' ')
                        .next()
                        .is_some_and(|role| acted_for.contains(role)));
            wanted && !is_bookkeeping(line)
        })
        .collect();
    let list = work.path().join("kept.list");
    std::fs::write(&list, kept.join("\n") + "\n")
        .map_err(|e| Failure::Environment(format!("cannot write {}: {e}", list.display())))?;
    let script = work.path().join("schema.sql");
    run(
        Command::new(bin_dir.join("pg_restore"))
            .args(["--no-owner", "--use-list"])
            .arg(&list)
            .arg("--file")
            .arg(&script)
            .arg(&archive),
        "pg_restore",
    )?;
    let raw = std::fs::read_to_string(&script)
        .map_err(|e| Failure::Environment(format!("cannot read the dump: {e}")))?;
    // What the migrations dropped from the starting schemas goes first.
    let removals: Vec<String> = from_baseline
        .iter()
        .filter_map(|change| {
            drop_statement(change).or_else(|| default_privilege_resets(change, &baseline_snapshot))
        })
        .collect();
    let known = known_settings(database).await?;
    let mut sql = migration_sql(&removals.join("\n"), &raw, &known);

    let fresh = database.create_sibling(server).await?;
    execute(&fresh, &sql).await?;
    let mut rebuilt = snapshot(&fresh, "the database rebuilt from the dump").await?;
    // Default privileges grant new tables to the API roles when the dump creates them,
    // which pg_dump's grants do not undo: privileges are set to what the migrations left.
    let privileges: Vec<String> = diff(&original, &rebuilt)
        .iter()
        .filter_map(|change| privilege_statements(change, &original))
        .collect();
    if !privileges.is_empty() {
        let block = format!(
            "\n-- Privileges of the API roles as the migrations left them (default privileges grant\n\
             -- more when the tables above are created).\n{}\n",
            privileges.join("\n")
        );
        execute(&fresh, &block).await?;
        sql.push_str(&block);
        rebuilt = snapshot(&fresh, "the database rebuilt from the dump").await?;
    }
    let differences = diff(&original, &rebuilt)
        .into_iter()
        .filter(|change| !is_bookkeeping(change.key().1) && !only_printed_differently(change))
        .collect();
    Ok(Dump {
        sql,
        differences,
        objects: original.objects.len(),
    })
}

/// The major version of the server `database` runs on.
pub async fn server_major(database: &Database) -> Result<u32, Failure> {
    let rows = server_facts(
        database,
        "select (current_setting('server_version_num')::int / 10000)::text",
        "version",
    )
    .await?;
    rows.first()
        .and_then(|major| major.parse().ok())
        .ok_or_else(|| Failure::Environment("cannot read the server's version".to_string()))
}

/// The settings the server knows: a newer `pg_dump` sets more (`transaction_timeout`).
async fn known_settings(database: &Database) -> Result<BTreeSet<String>, Failure> {
    let rows = server_facts(database, "select name from pg_settings", "settings").await?;
    Ok(rows.into_iter().collect())
}

/// The first column of `sql`'s rows, as text, read by the admin session.
async fn server_facts(database: &Database, sql: &str, what: &str) -> Result<Vec<String>, Failure> {
    let rows = database.admin.query(sql, &[]).await.map_err(|e| {
        Failure::Environment(format!(
            "cannot read the server's {what}: {}",
            describe_error(&e)
        ))
    })?;
    Ok(rows.iter().map(|row| row.get(0)).collect())
}

/// The roles whose default privileges the apply role may change (those it is a member of).
async fn roles_acted_for(database: &Database) -> Result<BTreeSet<String>, Failure> {
    let rows = database
        .client
        .query(
            "select rolname::text from pg_roles where pg_has_role(session_user, oid, 'member')",
            &[],
        )
        .await
        .map_err(|e| {
            Failure::Environment(format!("cannot read the roles: {}", describe_error(&e)))
        })?;
    Ok(rows.iter().filter_map(|row| row.try_get(0).ok()).collect())
}

async fn snapshot(database: &Database, what: &str) -> Result<Snapshot, Failure> {
    Snapshot::take(&database.client).await.map_err(|e| {
        Failure::Environment(format!(
            "cannot read the catalog of {what}: {}",
            describe_error(&e)
        ))
    })
}

/// `pg_dump --schema-only` of `database` into a custom-format archive.
fn pg_dump(bin_dir: &Path, database: &Database, archive: &Path) -> Result<(), Failure> {
    let mut command = Command::new(bin_dir.join("pg_dump"));
    command
        .args(["--schema-only", "--format=custom", "--no-owner", "--file"])
        .arg(archive);
    connect_args(&mut command, &database.connection.config);
    command.envs(database.connection.tls.libpq_env());
    run(&mut command, "pg_dump")
}

/// A baseline from a live database: its schema as `pg_dump --schema-only` writes it (in a
/// read-only transaction: `pg_dump` never writes), without owners (the apply role owns what
/// it creates), and, when the database is a Supabase one, without the schemas Supabase
/// manages (`supabase::MANAGED_SCHEMAS`: the prelude has them, and the apply role may not
/// create them). Returns the SQL and the schemas left out.
pub async fn dump_live(url: &str, pg_bin: Option<&Path>) -> Result<(String, Vec<String>), Failure> {
    let shown = crate::commands::redact::redact_url(url);
    let target = crate::postgres::connect::parse(url)?;
    let client = crate::postgres::connect::connect(&target, &shown).await?;
    let facts = client
        .query_one(
            "select (current_setting('server_version_num')::int / 10000)::int4, exists (select from pg_roles where rolname = 'supabase_admin'), array(select name::text from pg_settings)",
            &[],
        )
        .await
        .map_err(|e| {
            Failure::Environment(format!("cannot read {shown}'s version: {}", describe_error(&e)))
        })?;
    let major: i32 = facts.get(0);
    let supabase: bool = facts.get(1);
    let known: BTreeSet<String> = facts.get::<_, Vec<String>>(2).into_iter().collect();
    drop(client);
    let tools = crate::postgres::binaries::pg_dump_for(major.unsigned_abs(), pg_bin)?;
    let left_out: Vec<String> = if supabase {
        crate::supabase::MANAGED_SCHEMAS
            .iter()
            .map(|s| s.to_string())
            .collect()
    } else {
        Vec::new()
    };
    let work = tempfile::Builder::new()
        .prefix("schemagate-dump-")
        .tempdir()
        .map_err(|e| Failure::Environment(format!("cannot create a temporary directory: {e}")))?;
    let script = work.path().join("baseline.sql");
    let mut command = Command::new(tools.dir.join("pg_dump"));
    command
        .args(["--schema-only", "--no-owner", "--file"])
        .arg(&script);
    for schema in &left_out {
        command.arg(format!("--exclude-schema={schema}"));
    }
    connect_args(&mut command, &target.config);
    command.envs(target.tls.libpq_env());
    run(&mut command, "pg_dump")?;
    let raw = std::fs::read_to_string(&script)
        .map_err(|e| Failure::Environment(format!("cannot read the dump: {e}")))?;
    let note = if left_out.is_empty() {
        String::new()
    } else {
        format!(
            "\n-- Left out, as Supabase manages them: {}.",
            left_out.join(", ")
        )
    };
    let sql = format!(
        "-- A baseline for schemagate (`baseline = \"FILE\"` in schemagate.toml): the schema of a\n\
         -- live database, dumped by schemagate {} with pg_dump {}.{note}\n{}\n",
        env!("CARGO_PKG_VERSION"),
        tools.version,
        script_body(&raw, &known).trim()
    );
    Ok((sql, left_out))
}

/// Connection settings as `pg_dump` options and environment; the password only ever in
/// the environment, never on a command line.
pub(crate) fn connect_args(command: &mut Command, config: &tokio_postgres::Config) {
    match config.get_hosts().first() {
        Some(Host::Tcp(host)) => {
            command.arg("--host").arg(host);
        }
        Some(Host::Unix(path)) => {
            command.arg("--host").arg(path);
        }
        None => {}
    }
    if let Some(port) = config.get_ports().first() {
        command.arg("--port").arg(port.to_string());
    }
    if let Some(user) = config.get_user() {
        command.arg("--username").arg(user);
    }
    if let Some(dbname) = config.get_dbname() {
        command.arg("--dbname").arg(dbname);
    }
    command.arg("--no-password");
    if let Some(password) = config.get_password() {
        command.env("PGPASSWORD", String::from_utf8_lossy(password).into_owned());
    }
    command
        .env_remove("PGSERVICE")
        .env("PGCONNECT_TIMEOUT", "10");
}

/// The entries of an archive's table of contents (`pg_restore --list`), comments left out.
pub(crate) fn toc(bin_dir: &Path, archive: &Path) -> Result<Vec<String>, Failure> {
    let output = run_output(
        Command::new(bin_dir.join("pg_restore"))
            .arg("--list")
            .arg(archive),
        "pg_restore --list",
    )?;
    Ok(output
        .lines()
        .filter(|line| !line.trim().is_empty() && !line.starts_with(';'))
        .map(str::to_string)
        .collect())
}

/// What identifies a table-of-contents entry across databases:
/// `12; 2615 16385 SCHEMA - app postgres` → `SCHEMA - app postgres` (the dump id and the
/// OIDs differ between databases).
fn entry_key(line: &str) -> &str {
    let after_id = line.split_once("; ").map_or(line, |(_, rest)| rest);
    let mut rest = after_id;
    for _ in 0..2 {
        rest = rest.split_once(' ').map_or("", |(_, tail)| tail);
    }
    rest
}

/// The script as a migration: `removals` first, psql meta-commands (`\\restrict`, which
/// newer `pg_dump` versions write) and the header's settings the server does not know
/// (`SET transaction_timeout` from a newer `pg_dump`) removed, since migration tools run
/// plain SQL on that server; a header says where it came from.
fn migration_sql(removals: &str, script: &str, known_settings: &BTreeSet<String>) -> String {
    let removals = if removals.is_empty() {
        String::new()
    } else {
        format!(
            "-- Removed by the migrations from what a new database starts with.\n{removals}\n\n"
        )
    };
    format!(
        "-- The schema of the migrations, written by schemagate {} and verified: a fresh\n\
         -- database with this file applied has the same catalog as one with every migration.\n\
         {removals}{}\n",
        env!("CARGO_PKG_VERSION"),
        script_body(script, known_settings).trim()
    )
}

/// `pg_dump`'s script as plain SQL for the server: psql meta-commands and the header's
/// settings the server does not know removed, functions and views as `CREATE OR REPLACE`.
fn script_body(script: &str, known_settings: &BTreeSet<String>) -> String {
    // Line ends are kept as they are: function bodies may hold CRLF. pg_dump starts each
    // object's statement after a blank line, so only such lines are rewritten.
    let mut body = String::with_capacity(script.len());
    let mut after_blank = true;
    let mut in_header = true;
    for line in script.split_inclusive('\n') {
        in_header = in_header && !line.starts_with("-- Name: ");
        let meta = line.starts_with("\\restrict ") || line.starts_with("\\unrestrict ");
        let unknown = in_header
            && line
                .strip_prefix("SET ")
                .and_then(|rest| rest.split_once(" = "))
                .is_some_and(|(name, _)| !known_settings.contains(name));
        if !meta && !unknown {
            body.push_str(&if after_blank {
                or_replace(line)
            } else {
                line.into()
            });
        }
        after_blank = line.trim().is_empty();
    }
    body
}

async fn execute(database: &Database, sql: &str) -> Result<(), Failure> {
    database.client.batch_execute(sql).await.map_err(|e| {
        Failure::Environment(format!(
            "the dump does not apply to a fresh database: {}; please report this with the migrations",
            describe_error(&e)
        ))
    })?;
    // The dump empties search_path for its session; the catalog is read (and its
    // expressions printed) with the same settings as the original's.
    database
        .client
        .batch_execute("reset all")
        .await
        .map_err(|e| {
            Failure::Environment(format!("cannot reset the session: {}", describe_error(&e)))
        })
}

/// A change in which every attribute differs only in how PostgreSQL prints it. Expressions
/// over `varchar` do not survive a dump and restore letter for letter: `c IN ('a', 'b')` is
/// stored as `(c)::text = ANY ((ARRAY['a'::character varying, …])::text[])` and comes back
/// as `… ANY (ARRAY[('a'::character varying)::text, …])`, the same test.
fn only_printed_differently(change: &Change) -> bool {
    let Change::Changed { attributes, .. } = change else {
        return false;
    };
    attributes
        .values()
        .all(|(before, after)| varchar_arrays_as_stored(before) == varchar_arrays_as_stored(after))
}

/// Rewrites the restored form of a `varchar` list, `ANY (ARRAY[('a'::character
/// varying)::text, …])`, into the stored one, `ANY ((ARRAY['a'::character varying, …])::text[])`.
/// Nothing else changes, so any other difference still counts.
fn varchar_arrays_as_stored(text: &str) -> String {
    static ELEMENT: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"\(('(?:[^']|'')*'::character varying)\)::text")
            .expect("a valid pattern")
    });
    static ARRAY: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"(ANY|ALL) \(ARRAY\[((?:'(?:[^']|'')*'::character varying(?:, )?)+)\]\)")
            .expect("a valid pattern")
    });
    let elements = ELEMENT.replace_all(text, "$1");
    ARRAY
        .replace_all(&elements, "$1 ((ARRAY[$2])::text[])")
        .into_owned()
}

/// `schema.name` as `"schema"."name"`.
fn quote_qualified(identity: &str) -> String {
    match identity.split_once('.') {
        Some((schema, name)) => format!("{}.{}", quote_ident(schema), quote_ident(name)),
        None => quote_ident(identity),
    }
}

/// The statement that removes an object of the starting schemas the migrations dropped.
/// A policy or trigger the migrations changed there is dropped too, to be created again.
fn drop_statement(change: &Change) -> Option<String> {
    let (kind, identity) = match change {
        Change::Removed { kind, identity } => (kind, identity),
        Change::Changed { kind, identity, .. } if kind == "policy" || kind == "trigger" => {
            (kind, identity)
        }
        _ => return None,
    };
    let on_table = |what: &str| {
        let mut parts = identity.splitn(3, '.');
        let (schema, table, name) = (parts.next()?, parts.next()?, parts.next()?);
        Some(format!(
            "DROP {what} IF EXISTS {} ON {}.{};",
            quote_ident(name),
            quote_ident(schema),
            quote_ident(table)
        ))
    };
    match kind.as_str() {
        "extension" => Some(format!(
            "DROP EXTENSION IF EXISTS {};",
            quote_ident(identity)
        )),
        "policy" => on_table("POLICY"),
        "trigger" => on_table("TRIGGER"),
        "function" | "procedure" => {
            let (name, arguments) = identity.split_once('(')?;
            Some(format!(
                "DROP {} IF EXISTS {}({arguments};",
                kind.to_uppercase(),
                quote_qualified(name)
            ))
        }
        "view" | "table" | "materialized view" => Some(format!(
            "DROP {} IF EXISTS {};",
            kind.to_uppercase(),
            quote_qualified(identity)
        )),
        _ => None,
    }
}

/// Statements that give an API role the privileges it has in `original` on a relation,
/// schema or function, for a difference in them.
fn privilege_statements(change: &Change, original: &Snapshot) -> Option<String> {
    let (kind, identity) = change.key();
    let (object, role) = identity.rsplit_once(" to ")?;
    let has = |role: &str| {
        original.objects.get(&crate::diff::ObjectKey {
            kind: kind.to_string(),
            identity: format!("{object} to {role}"),
        })
    };
    let privileges = || {
        has(role)
            .and_then(|attributes| attributes.get("privileges"))
            .map(|p| p.replace(',', ", "))
            .filter(|p| !p.is_empty())
    };
    let reset = |on: &str, target: String| {
        let revoke = format!("REVOKE ALL ON {on} {target} FROM {};", quote_ident(role));
        match privileges() {
            Some(list) => format!(
                "{revoke}\nGRANT {list} ON {on} {target} TO {};",
                quote_ident(role)
            ),
            None => revoke,
        }
    };
    match kind {
        "grant" => Some(reset("TABLE", quote_qualified(object))),
        "schema grant" if has(role).is_some() => Some(reset("SCHEMA", quote_ident(object))),
        "schema grant" => {
            // Only PUBLIC's USAGE can remain after the role's own grant is revoked: the
            // migrations revoked that too; the API roles that kept theirs get them back.
            let target = quote_ident(object);
            let mut statements = vec![
                format!("REVOKE ALL ON SCHEMA {target} FROM PUBLIC;"),
                format!("REVOKE ALL ON SCHEMA {target} FROM {};", quote_ident(role)),
            ];
            for other in API_ROLES {
                let kept = has(other)
                    .and_then(|attributes| attributes.get("privileges"))
                    .filter(|p| !p.is_empty());
                if let Some(list) = kept {
                    statements.push(format!(
                        "GRANT {} ON SCHEMA {target} TO {};",
                        list.replace(',', ", "),
                        quote_ident(other)
                    ));
                }
            }
            Some(statements.join("\n"))
        }
        "function grant" => {
            let (name, arguments) = object.split_once('(')?;
            let target = format!("{}({arguments}", quote_qualified(name));
            if has(role).is_some() {
                return Some(format!(
                    "GRANT EXECUTE ON FUNCTION {target} TO {};",
                    quote_ident(role)
                ));
            }
            // It may come from PUBLIC's default EXECUTE: take that away, then give it back
            // to the API roles that had it.
            let mut statements = vec![
                format!("REVOKE EXECUTE ON FUNCTION {target} FROM PUBLIC;"),
                format!(
                    "REVOKE EXECUTE ON FUNCTION {target} FROM {};",
                    quote_ident(role)
                ),
            ];
            for other in API_ROLES.iter().filter(|r| has(r).is_some()) {
                statements.push(format!(
                    "GRANT EXECUTE ON FUNCTION {target} TO {};",
                    quote_ident(other)
                ));
            }
            Some(statements.join("\n"))
        }
        _ => None,
    }
}

/// The roles whose privileges the snapshot compares.
const API_ROLES: [&str; 2] = ["anon", "authenticated"];

/// For default privileges the migrations changed from what the database starts with: the
/// statements that take the starting ones away (the dump's own `ALTER DEFAULT PRIVILEGES`
/// then grants what the migrations left).
fn default_privilege_resets(change: &Change, baseline: &Snapshot) -> Option<String> {
    let (kind, identity) = change.key();
    if kind != "default privileges" || matches!(change, Change::Added { .. }) {
        return None;
    }
    let attributes = baseline.objects.get(&crate::diff::ObjectKey {
        kind: kind.to_string(),
        identity: identity.to_string(),
    })?;
    let (owner, rest) = identity.split_once(' ')?;
    let (schema, objects) = match rest.strip_prefix("in ") {
        Some(rest) => {
            let (schema, objects) = rest.split_once(" on ")?;
            (format!(" IN SCHEMA {}", quote_ident(schema)), objects)
        }
        None => (String::new(), rest.strip_prefix("on ")?),
    };
    let statements: Vec<String> = attributes
        .get("acl")?
        .split(',')
        .filter_map(|item| item.split_once('=').map(|(grantee, _)| grantee))
        .map(|grantee| {
            let grantee = if grantee.is_empty() {
                "PUBLIC".to_string()
            } else {
                quote_ident(grantee.trim_matches('"'))
            };
            format!(
                "ALTER DEFAULT PRIVILEGES FOR ROLE {}{schema} REVOKE ALL ON {} FROM {grantee};",
                quote_ident(owner),
                objects.to_uppercase()
            )
        })
        .collect();
    (!statements.is_empty()).then(|| statements.join("\n"))
}

/// Functions and views the migrations replaced in a schema the database starts with (e.g.
/// `storage.foldername`) already exist where the dump is applied: they are written as
/// `CREATE OR REPLACE`, which is the same as `CREATE` for new ones.
fn or_replace(line: &str) -> std::borrow::Cow<'_, str> {
    for kind in ["FUNCTION ", "VIEW ", "PROCEDURE "] {
        if let Some(rest) = line
            .strip_prefix("CREATE ")
            .and_then(|l| l.strip_prefix(kind))
        {
            return format!("CREATE OR REPLACE {kind}{rest}").into();
        }
    }
    line.into()
}

fn run(command: &mut Command, what: &str) -> Result<(), Failure> {
    run_output(command, what).map(|_| ())
}

fn run_output(command: &mut Command, what: &str) -> Result<String, Failure> {
    let output = command.output().map_err(|e| {
        Failure::Environment(format!(
            "cannot run {what} ({e}); it comes with the PostgreSQL client tools: install them next to the server or pass --pg-bin"
        ))
    })?;
    if !output.status.success() {
        return Err(Failure::Environment(format!(
            "{what} failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toc_entries_compare_without_ids_and_oids() {
        assert_eq!(
            entry_key("215; 1259 16390 TABLE public orders postgres"),
            "TABLE public orders postgres"
        );
        assert_eq!(
            entry_key("3; 3079 16384 EXTENSION - vector "),
            "EXTENSION - vector "
        );
    }

    #[test]
    fn varchar_arrays_printed_after_a_restore_are_the_same_expression() {
        let change = |before: &str, after: &str| Change::Changed {
            kind: "constraint".to_string(),
            identity: "public.t.c".to_string(),
            attributes: [(
                "definition".to_string(),
                (before.to_string(), after.to_string()),
            )]
            .into_iter()
            .collect(),
        };
        assert!(only_printed_differently(&change(
            "CHECK (((s)::text = ANY ((ARRAY['a'::character varying, 'b'::character varying])::text[])))",
            "CHECK (((s)::text = ANY (ARRAY[('a'::character varying)::text, ('b'::character varying)::text])))",
        )));
        // `<> ALL` too (an index predicate of the corpus).
        assert!(only_printed_differently(&change(
            "WHERE ((s)::text <> ALL ((ARRAY['a'::character varying])::text[]))",
            "WHERE ((s)::text <> ALL (ARRAY[('a'::character varying)::text]))",
        )));
        assert!(!only_printed_differently(&change(
            "CHECK (((s)::text = ANY ((ARRAY['a'::character varying])::text[])))",
            "CHECK (((s)::text = ANY (ARRAY[('b'::character varying)::text])))",
        )));
    }

    #[test]
    fn meta_commands_are_dropped() {
        let known = BTreeSet::from(["x".to_string()]);
        let sql = migration_sql(
            "",
            "\\restrict abc\nSET x = 1;\ncreate table t ();\n\\unrestrict abc\n",
            &known,
        );
        assert!(!sql.contains("restrict"), "{sql}");
        assert!(sql.ends_with("SET x = 1;\ncreate table t ();\n"), "{sql}");
    }

    #[test]
    fn header_settings_the_server_does_not_know_are_dropped() {
        let known = BTreeSet::from(["statement_timeout".to_string()]);
        let script = "SET statement_timeout = 0;\nSET transaction_timeout = 0;\n\n--\n-- Name: f\n--\n\nCREATE FUNCTION f() RETURNS void\n    LANGUAGE sql AS $$\nSET transaction_timeout = 0;\n$$;\n";
        let sql = migration_sql("", script, &known);
        assert!(sql.contains("SET statement_timeout = 0;\n"), "{sql}");
        // Only the header's: the same line in a function body is the migrations' own.
        assert_eq!(sql.matches("SET transaction_timeout").count(), 1, "{sql}");
        assert!(
            sql.contains("AS $$\nSET transaction_timeout = 0;\n$$;"),
            "{sql}"
        );
    }
}
