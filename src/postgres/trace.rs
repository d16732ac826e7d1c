//! The lock and rewrite trace (docs/trace.md): while the branch's new migrations are
//! applied onto the base's schema, what PostgreSQL itself did to the relations that
//! existed before them, after every statement, from the migrations' own session:
//!
//! * the relation locks the session holds (`pg_locks` for its backend), new ones since the
//!   previous statement;
//! * rewrites: a changed `relfilenode` of an existing table, index or materialized view;
//! * constraints added or validated (`pg_constraint.convalidated`), columns whose
//!   nullability or type changed (`pg_attribute`);
//! * the `lock_timeout` and `statement_timeout` the migration (or the role's or database's
//!   configuration) put in effect — not schemagate's own session settings.
//!
//! The state of every existing relation is read once, before the first file; then one
//! prepared query per statement ([`STATE`]), limited to the existing relations the session
//! holds a lock on that allows changing them (what a statement changes, it locks, and keeps
//! locked until the transaction ends, so every change is seen right after its statement);
//! outside a transaction (a `CONCURRENTLY` statement) the locks are gone when it returns,
//! so it reads all of them.

use super::Database;
use crate::migrations::Migration;
use crate::sql::{Compact, Parsed, Statement, TreeRef};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// The state of the relations the session may be changing, as rows `(kind, relation oid,
/// key, value)`: `lock` (mode), `node` (relfilenode), `con` (name → validated), `col` (name
/// → `notnull type`). Watched: the relations it holds a lock on that allows changing them
/// (a column, a constraint or the storage changes only under SHARE UPDATE EXCLUSIVE or
/// more; what queries and DML take is left out: [`WATCHED_HELD`]), or all existing ones
/// ([`WATCHED_ALL`]). Only relations that may have existed before are read: oids up to the
/// largest that existed at the start (`MAX`, a number schemagate read), as oids only grow
/// (an ephemeral database never wraps around); the caller keeps the existing ones. Each catalog is read by index, per watched
/// relation (`lateral`): scanning `pg_attribute` per statement would cost more than the
/// statement.
const STATE: &str = "
HELD,
watched as (WATCHED)
LOCKS
union all
select 'node', w.oid::int8, '', c.relfilenode::text
  from watched w cross join lateral (
    select relfilenode from pg_class where oid = w.oid CHANGED offset 0
  ) c
union all
select 'con', w.oid::int8, k.conname::text, k.convalidated::text
  from watched w cross join lateral (
    select conname, convalidated from pg_constraint where conrelid = w.oid CHANGED offset 0
  ) k
union all
select 'col', w.oid::int8, a.attname::text, a.attnotnull::text || ' ' || format_type(a.atttypid, a.atttypmod)
  from watched w cross join lateral (
    select attname, attnotnull, atttypid, atttypmod from pg_attribute
    where attrelid = w.oid and attnum > 0 and not attisdropped CHANGED offset 0
  ) a
";

/// The session's relation locks on relations that may have existed before (`MAX`).
const HELD: &str = "
with held as (
  select l.relation as oid, l.mode from pg_locks l
  where l.pid = pg_backend_pid() and l.locktype = 'relation' and l.granted
    and l.database = (select oid from pg_database where datname = current_database())
    and l.relation <= MAX
)";

/// The `lock` rows of [`STATE`]; alone, after a statement that changes no relation's
/// definition ([`Reach::Locks`]): a file that creates policies on hundreds of tables holds
/// hundreds of strong locks, and reading their catalog rows after each statement cost
/// milliseconds.
const LOCKS: &str = "select 'lock', oid::int8, mode, '' from held";

/// After a statement in a transaction. No parameters, so that the server plans it once (a
/// custom plan per statement would cost more than running it).
const WATCHED_HELD: &str = "select oid from held
  where mode not in ('AccessShareLock', 'RowShareLock', 'RowExclusiveLock')";

/// After a statement in a transaction, only the catalog rows the transaction wrote (its
/// own and its subtransactions' ids are at least its first; nothing else writes to an
/// ephemeral database meanwhile): a table locked early in a long file is not read again
/// and again.
const CHANGED_IN_TRANSACTION: &str = "and xmin::text::int8 >= (
      select coalesce(txid_current_if_assigned() % 4294967296, 4294967296))";

/// At the start and after a statement outside a transaction: every existing relation (`$1`).
const WATCHED_ALL: &str = "select unnest($1::oid[]) as oid";

/// The `lock_timeout` and `statement_timeout` in effect: set in the session (`SET`, `SET
/// LOCAL`), else configured for the role or database, else `0`; schemagate's own connection
/// options do not count. Read when a file starts and after statements that may change them
/// ([`may_set_timeouts`]): `pg_settings` costs as much as the rest of the trace.
const SETTINGS: &str = "
select s.name, case
    when s.source = 'session' then current_setting(s.name)
    else coalesce((
      select substr(c, length(s.name) + 2)
      from pg_db_role_setting r, unnest(r.setconfig) c
      where r.setrole in (0, (select oid from pg_roles where rolname = current_user))
        and r.setdatabase in (0, (select oid from pg_database where datname = current_database()))
        and c like s.name || '=%'
      order by r.setrole desc, r.setdatabase desc limit 1), '0')
  end
  from pg_settings s where s.name in ('lock_timeout', 'statement_timeout')
";

/// The relations that exist before the branch's migrations: user tables, partitioned
/// tables, materialized views and indexes, with the table an index belongs to; not those
/// of the bookkeeping schemas (`$1`: the change tracker's, the migration history's).
const EXISTING: &str = "
select c.oid::int8, n.nspname::text || '.' || c.relname::text, c.relkind::text, coalesce(i.indrelid, 0)::int8
from pg_class c
join pg_namespace n on n.oid = c.relnamespace
left join pg_index i on i.indexrelid = c.oid
where c.relkind in ('r', 'p', 'm', 'i', 'I')
  and n.nspname not in ('pg_catalog', 'information_schema')
  and n.nspname not like 'pg\\_toast%' and n.nspname not like 'pg\\_temp%'
  and n.nspname <> all($1::text[])
";

/// What kind of relation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RelKind {
    Table,
    Index,
    MaterializedView,
}

/// A relation that existed before the branch's migrations.
#[derive(Debug, Clone)]
struct Relation {
    name: String,
    kind: RelKind,
    /// For an index: its table's oid.
    table: Option<i64>,
}

/// A lock a statement took on an existing relation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Lock {
    pub relation: String,
    pub kind: RelKind,
    /// `pg_locks.mode` without the `Lock` suffix, upper case: `ACCESS EXCLUSIVE`.
    pub mode: String,
}

/// An existing relation a statement rewrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rewrite {
    pub relation: String,
    pub kind: RelKind,
    /// For an index: its table.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub table: Option<String>,
}

/// What one statement did to the existing relations.
#[derive(Debug, Clone, Default, Serialize)]
pub struct StatementTrace {
    /// Index of the statement in its migration (`Statement::index`).
    pub statement: usize,
    /// 1-based first and last line of the statement.
    pub line: u32,
    pub end_line: u32,
    /// Its first line, shortened, for the reports.
    pub text: String,
    /// The statement ran inside the file's transaction.
    pub in_transaction: bool,
    /// Locks it took that the session did not hold before it.
    pub locks: Vec<Lock>,
    /// Relations it rewrote (gave new storage).
    pub rewrites: Vec<Rewrite>,
    /// Constraints it added (`public.t.name`), and whether they are valid.
    pub constraints_added: Vec<(String, bool)>,
    /// Constraints it validated.
    pub constraints_validated: Vec<String>,
    /// Columns whose nullability or type it changed: `public.t.c: text → bigint`.
    pub columns_changed: Vec<String>,
    /// `lock_timeout` in effect after it, when the migration or the role set one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lock_timeout: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub statement_timeout: Option<String>,
}

/// The trace of one file.
#[derive(Debug, Clone, Serialize)]
pub struct FileTrace {
    pub path: String,
    /// Statements in the order they ran (those that failed are not traced).
    pub statements: Vec<StatementTrace>,
}

/// One observation.
#[derive(Debug, Default)]
struct State {
    locks: BTreeSet<(i64, String)>,
    nodes: BTreeMap<i64, String>,
    constraints: BTreeMap<(i64, String), bool>,
    columns: BTreeMap<(i64, String), String>,
}

/// Observes the application of some files onto a database, statement by statement.
pub struct Tracer {
    /// [`STATE`] over [`WATCHED_HELD`] and over [`WATCHED_ALL`], prepared once.
    state_held: tokio_postgres::Statement,
    state_all: tokio_postgres::Statement,
    /// [`LOCKS`] alone.
    state_locks: tokio_postgres::Statement,
    /// The server locks the tables a `GRANT` or `REVOKE` names (PostgreSQL 18 and later).
    grants_lock: bool,
    existing: BTreeMap<i64, Relation>,
    oids: Vec<u32>,
    /// What was last seen of the existing relations.
    known: State,
    /// The session's locks after the previous statement (empty outside a transaction).
    held: BTreeSet<(i64, String)>,
    /// `lock_timeout` and `statement_timeout` in effect (`None`: none).
    timeouts: (Option<String>, Option<String>),
    file: Option<FileTrace>,
    pub files: Vec<FileTrace>,
}

impl Tracer {
    /// Records which relations exist now (before the first traced file) and their state;
    /// the reason when the catalog cannot be read.
    pub async fn start(db: &Database) -> Result<Tracer, String> {
        let describe = |e: tokio_postgres::Error| super::describe_error(&e);
        let rows = db
            .client
            .query(EXISTING, &[&crate::dump::BOOKKEEPING_SCHEMAS.as_slice()])
            .await
            .map_err(describe)?;
        let mut existing = BTreeMap::new();
        for row in rows {
            let oid: i64 = row.get(0);
            let kind = match row.get::<_, String>(2).as_str() {
                "i" | "I" => RelKind::Index,
                "m" => RelKind::MaterializedView,
                _ => RelKind::Table,
            };
            let table: i64 = row.get(3);
            existing.insert(
                oid,
                Relation {
                    name: row.get(1),
                    kind,
                    table: (table != 0).then_some(table),
                },
            );
        }
        let oids = existing
            .keys()
            .filter_map(|&o| u32::try_from(o).ok())
            .collect();
        let max = existing.keys().max().copied().unwrap_or(0);
        let version: i32 = db
            .client
            .query_one("select current_setting('server_version_num')::int", &[])
            .await
            .map_err(describe)?
            .get(0);
        let held_locks = HELD.replace("MAX", &max.to_string());
        let state = STATE.replace("HELD", &held_locks).replace("LOCKS", LOCKS);
        let held = state
            .replace("WATCHED", WATCHED_HELD)
            .replace("CHANGED", CHANGED_IN_TRANSACTION);
        let mut tracer = Tracer {
            state_held: db.client.prepare(&held).await.map_err(describe)?,
            state_all: db
                .client
                .prepare(&state.replace("WATCHED", WATCHED_ALL).replace("CHANGED", ""))
                .await
                .map_err(describe)?,
            state_locks: db
                .client
                .prepare(&format!("{held_locks}\n{LOCKS}"))
                .await
                .map_err(describe)?,
            grants_lock: version >= 180_000,
            existing,
            oids,
            known: State::default(),
            held: BTreeSet::new(),
            timeouts: (None, None),
            file: None,
            files: Vec::new(),
        };
        tracer.known = tracer.observe(db, Watch::All).await.map_err(describe)?;
        Ok(tracer)
    }

    async fn observe(&self, db: &Database, watch: Watch) -> Result<State, tokio_postgres::Error> {
        let rows = match watch {
            Watch::All => db.client.query(&self.state_all, &[&self.oids]).await?,
            Watch::Held => db.client.query(&self.state_held, &[]).await?,
            Watch::Locks => db.client.query(&self.state_locks, &[]).await?,
        };
        let mut state = State::default();
        for row in rows {
            let kind: String = row.get(0);
            let oid: i64 = row.get(1);
            if !self.existing.contains_key(&oid) {
                continue;
            }
            let key: String = row.get(2);
            let value: String = row.get(3);
            match kind.as_str() {
                "lock" => {
                    state.locks.insert((oid, key));
                }
                "node" => {
                    state.nodes.insert(oid, value);
                }
                "con" => {
                    state.constraints.insert((oid, key), value == "true");
                }
                _ => {
                    state.columns.insert((oid, key), value);
                }
            }
        }
        Ok(state)
    }

    /// Before a file runs. What the existing relations look like is known already: from
    /// the start, and every change since was seen after the statement that made it.
    pub async fn begin_file(&mut self, db: &Database, migration: &Migration) {
        self.finish_file();
        self.held.clear();
        self.file = Some(FileTrace {
            path: migration.path.clone(),
            statements: Vec::new(),
        });
        self.read_timeouts(db, migration).await;
    }

    /// Reads the timeouts in effect ([`SETTINGS`]).
    async fn read_timeouts(&mut self, db: &Database, migration: &Migration) {
        match db.client.query(SETTINGS, &[]).await {
            Ok(rows) => {
                let value = |name: &str| {
                    rows.iter()
                        .find(|r| r.get::<_, String>(0) == name)
                        .map(|r| r.get::<_, String>(1))
                        .filter(|v| v != "0")
                };
                self.timeouts = (value("lock_timeout"), value("statement_timeout"));
            }
            Err(error) => {
                eprintln!(
                    "warning: cannot read the timeouts in effect in `{}` ({}); its trace is incomplete",
                    migration.path,
                    super::describe_error(&error)
                );
            }
        }
    }

    /// After `statement` ran (inside the file's transaction or on its own).
    pub async fn after(
        &mut self,
        db: &Database,
        migration: &Migration,
        statement: &Statement,
        in_transaction: bool,
    ) {
        if self.file.is_none() {
            return;
        }
        let watch = match (
            reach(migration, statement, self.grants_lock),
            in_transaction,
        ) {
            (Reach::Definitions, false) => Some(Watch::All),
            (Reach::Definitions, true) => Some(Watch::Held),
            (Reach::Locks, true) => Some(Watch::Locks),
            // Outside a transaction its locks are gone when it returns.
            (Reach::Locks, false) | (Reach::Nothing, _) => None,
        };
        let Some(watch) = watch else {
            if !in_transaction {
                self.held.clear();
            }
            let traced = self.statement_trace(migration, statement, in_transaction);
            if let Some(file) = self.file.as_mut() {
                file.statements.push(traced);
            }
            return;
        };
        let state = match self.observe(db, watch).await {
            Ok(state) => state,
            Err(error) => {
                eprintln!(
                    "warning: cannot trace `{}` further ({}); its later statements are not checked",
                    migration.path,
                    super::describe_error(&error)
                );
                self.finish_file();
                return;
            }
        };
        if may_set_timeouts(migration, statement) {
            self.read_timeouts(db, migration).await;
        }
        let mut traced = self.statement_trace(migration, statement, in_transaction);
        for (oid, mode) in state.locks.difference(&self.held) {
            if let Some(relation) = self.existing.get(oid) {
                traced.locks.push(Lock {
                    relation: relation.name.clone(),
                    kind: relation.kind,
                    mode: mode_words(mode),
                });
            }
        }
        for (oid, node) in &state.nodes {
            let before = self.known.nodes.insert(*oid, node.clone());
            if let (Some(before), Some(relation)) = (before, self.existing.get(oid)) {
                if before != *node && !is_truncate(migration, statement) {
                    traced.rewrites.push(Rewrite {
                        relation: relation.name.clone(),
                        kind: relation.kind,
                        table: relation
                            .table
                            .and_then(|t| self.existing.get(&t))
                            .map(|t| t.name.clone()),
                    });
                }
            }
        }
        for ((oid, name), valid) in &state.constraints {
            let before = self.known.constraints.insert((*oid, name.clone()), *valid);
            let Some(relation) = self.existing.get(oid) else {
                continue;
            };
            let qualified = format!("{}.{name}", relation.name);
            match before {
                None => traced.constraints_added.push((qualified, *valid)),
                Some(false) if *valid => traced.constraints_validated.push(qualified),
                _ => {}
            }
        }
        for ((oid, name), value) in &state.columns {
            let before = self
                .known
                .columns
                .insert((*oid, name.clone()), value.clone());
            if let (Some(before), Some(relation)) = (before, self.existing.get(oid)) {
                if before != *value {
                    traced.columns_changed.push(format!(
                        "{}.{name}: {} → {}",
                        relation.name,
                        column_words(&before),
                        column_words(value)
                    ));
                }
            }
        }
        self.held = if in_transaction {
            state.locks
        } else {
            BTreeSet::new()
        };
        if let Some(file) = self.file.as_mut() {
            file.statements.push(traced);
        }
    }

    /// A statement's entry, before what it did is added.
    fn statement_trace(
        &self,
        migration: &Migration,
        statement: &Statement,
        in_transaction: bool,
    ) -> StatementTrace {
        let location = migration.statement_location(statement);
        StatementTrace {
            statement: statement.index,
            line: location.line,
            end_line: location.end_line,
            text: first_line(migration, statement),
            in_transaction,
            lock_timeout: self.timeouts.0.clone(),
            statement_timeout: self.timeouts.1.clone(),
            ..StatementTrace::default()
        }
    }

    /// The file's transaction ended (commit or a statement run outside it): its locks are
    /// released.
    pub fn released(&mut self) {
        self.held.clear();
    }

    fn finish_file(&mut self) {
        if let Some(file) = self.file.take() {
            self.files.push(file);
        }
    }

    /// The traces of every file.
    pub fn finish(mut self) -> Vec<FileTrace> {
        self.finish_file();
        self.files
    }
}

/// `AccessExclusiveLock` → `ACCESS EXCLUSIVE`.
fn mode_words(mode: &str) -> String {
    let mode = mode.strip_suffix("Lock").unwrap_or(mode);
    let mut words = String::new();
    for (i, c) in mode.char_indices() {
        if c.is_uppercase() && i > 0 {
            words.push(' ');
        }
        words.push(c.to_ascii_uppercase());
    }
    words
}

/// `true bigint` → `bigint not null`.
fn column_words(value: &str) -> String {
    match value.split_once(' ') {
        Some(("true", data_type)) => format!("{data_type} not null"),
        Some((_, data_type)) => data_type.to_string(),
        None => value.to_string(),
    }
}

/// The statement's first line, at most 80 characters.
fn first_line(migration: &Migration, statement: &Statement) -> String {
    let text = migration
        .source
        .as_ref()
        .map_or("", |source| statement.text(source));
    let line = text.lines().next().unwrap_or("").trim();
    let short: String = line.chars().take(80).collect();
    if short.len() < text.trim().len() {
        format!("{short} …")
    } else {
        short
    }
}

/// May the statement change the timeouts in effect: it names one (`SET`, `set_config`,
/// `ALTER ROLE … SET`), or resets the session's settings?
fn may_set_timeouts(migration: &Migration, statement: &Statement) -> bool {
    let Some(source) = &migration.source else {
        return false;
    };
    let text = statement.text(source).to_ascii_lowercase();
    let text = text.trim_start();
    text.contains("lock_timeout")
        || text.contains("statement_timeout")
        || text.starts_with("reset")
        || text.starts_with("discard")
}

/// Which state of the existing relations a statement is read after.
#[derive(Debug, Clone, Copy)]
enum Watch {
    /// Every existing relation's (outside a transaction: its locks are already released).
    All,
    /// Of the relations the session holds a lock on that allows changing them.
    Held,
    /// The session's locks only.
    Locks,
}

/// What of the existing relations a statement may change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reach {
    /// Nothing, not even a lock ([`takes_no_relation_lock`]).
    Nothing,
    /// Only the locks held: policies, triggers, comments, grants and views lock tables but
    /// change no table's storage, columns or constraints.
    Locks,
    /// Anything.
    Definitions,
}

fn reach(migration: &Migration, statement: &Statement, grants_lock: bool) -> Reach {
    if takes_no_relation_lock(statement, grants_lock) {
        return Reach::Nothing;
    }
    let Some(source) = &migration.source else {
        return Reach::Definitions;
    };
    let words: Vec<String> = crate::sql::split::token_iter(statement.text(source))
        .take(4)
        .map(str::to_ascii_lowercase)
        .collect();
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    let definitions_unchanged = matches!(
        words.as_slice(),
        ["create" | "alter" | "drop", "policy", ..]
            | ["create" | "drop", "trigger", ..]
            | ["create", "or", "replace", "trigger" | "view"]
            | ["comment", "on", ..]
            | ["grant" | "revoke", ..]
            | ["create", "view", ..]
    );
    if definitions_unchanged {
        Reach::Locks
    } else {
        Reach::Definitions
    }
}

/// Statements that lock no table, index or materialized view: grants on routines,
/// schemas and sequences, and before PostgreSQL 18 (`grants_lock` false) on tables too (18
/// takes ACCESS SHARE on a table granted on), role grants, `ALTER FUNCTION`, and functions
/// in a procedural language (a SQL function's body is analysed, which locks the tables it
/// reads). Nothing is observed after them: a third of a large Supabase project's
/// statements, each observation costing more than most statements.
fn takes_no_relation_lock(statement: &Statement, grants_lock: bool) -> bool {
    match &statement.parsed {
        Parsed::Compact(compact) => match compact.as_ref() {
            Compact::Privileges(change) => !change.on_relations || !grants_lock,
            Compact::AlterFunction(_) => true,
            Compact::DropPolicy(_) => false,
        },
        Parsed::Ast(tree) => match tree.as_ref() {
            TreeRef::CreateFunction(create) => create
                .language
                .as_ref()
                .is_some_and(|language| !language.value.eq_ignore_ascii_case("sql")),
            _ => false,
        },
        Parsed::Fallback(_) | Parsed::Released => false,
    }
}

/// `TRUNCATE` gives a table new, empty storage: that is not a rewrite of its rows.
fn is_truncate(migration: &Migration, statement: &Statement) -> bool {
    migration.source.as_ref().is_some_and(|source| {
        statement
            .text(source)
            .trim_start()
            .get(..8)
            .is_some_and(|w| w.eq_ignore_ascii_case("truncate"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_modes_read_as_in_the_documentation() {
        assert_eq!(mode_words("AccessExclusiveLock"), "ACCESS EXCLUSIVE");
        assert_eq!(mode_words("ShareRowExclusiveLock"), "SHARE ROW EXCLUSIVE");
        assert_eq!(mode_words("ShareLock"), "SHARE");
    }

    #[test]
    fn columns_read_as_types() {
        assert_eq!(column_words("true bigint"), "bigint not null");
        assert_eq!(
            column_words("false character varying(20)"),
            "character varying(20)"
        );
    }
}
