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
//! One query per statement ([`STATE`]), limited to the existing relations the session
//! holds a lock on (what a statement changes, it locks); outside a transaction (a
//! `CONCURRENTLY` statement) the locks are gone when it returns, so it reads all of them.

use super::Database;
use crate::migrations::Migration;
use crate::sql::Statement;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// The state of the existing relations as rows `(kind, relation oid, key, value)`: `lock`
/// (mode), `node` (relfilenode), `con` (name → validated), `col` (name → `notnull type`),
/// `set` (setting → value in effect, `0` for none). `$1`: the existing relations; `$2`:
/// all of them, else only those the session holds a lock on.
const STATE: &str = "
with existing as (select unnest($1::oid[]) as oid),
held as (
  select l.relation as oid, l.mode from pg_locks l
  where l.pid = pg_backend_pid() and l.locktype = 'relation' and l.granted
    and l.relation in (select oid from existing)
),
watched as (select oid from existing where $2 or oid in (select oid from held))
select 'lock', oid::int8, mode, '' from held
union all
select 'node', c.oid::int8, '', c.relfilenode::text from pg_class c where c.oid in (select oid from watched)
union all
select 'con', k.conrelid::int8, k.conname::text, k.convalidated::text
  from pg_constraint k where k.conrelid in (select oid from watched)
union all
select 'col', a.attrelid::int8, a.attname::text, a.attnotnull::text || ' ' || format_type(a.atttypid, a.atttypmod)
  from pg_attribute a where a.attrelid in (select oid from watched) and a.attnum > 0 and not a.attisdropped
union all
select 'set', 0, s.name, case
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
    settings: BTreeMap<String, String>,
}

/// Observes the application of some files onto a database, statement by statement.
pub struct Tracer {
    existing: BTreeMap<i64, Relation>,
    oids: Vec<u32>,
    /// What was last seen of the existing relations.
    known: State,
    /// The session's locks after the previous statement (empty outside a transaction).
    held: BTreeSet<(i64, String)>,
    file: Option<FileTrace>,
    pub files: Vec<FileTrace>,
}

impl Tracer {
    /// Records which relations exist now (before the first traced file). `None`, with the
    /// reason, when the catalog cannot be read.
    pub async fn start(db: &Database) -> Result<Tracer, String> {
        let rows = db
            .client
            .query(EXISTING, &[&crate::dump::BOOKKEEPING_SCHEMAS.as_slice()])
            .await
            .map_err(|e| super::describe_error(&e))?;
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
        Ok(Tracer {
            existing,
            oids,
            known: State::default(),
            held: BTreeSet::new(),
            file: None,
            files: Vec::new(),
        })
    }

    async fn observe(&self, db: &Database, all: bool) -> Result<State, tokio_postgres::Error> {
        let rows = db.client.query(STATE, &[&self.oids, &all]).await?;
        let mut state = State::default();
        for row in rows {
            let kind: String = row.get(0);
            let oid: i64 = row.get(1);
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
                "col" => {
                    state.columns.insert((oid, key), value);
                }
                _ => {
                    state.settings.insert(key, value);
                }
            }
        }
        Ok(state)
    }

    /// Before a file runs: what the existing relations look like now.
    pub async fn begin_file(&mut self, db: &Database, migration: &Migration) {
        self.finish_file();
        match self.observe(db, true).await {
            Ok(state) => {
                self.known = state;
                self.held.clear();
                self.file = Some(FileTrace {
                    path: migration.path.clone(),
                    statements: Vec::new(),
                });
            }
            Err(error) => eprintln!(
                "warning: cannot trace `{}` ({}); its locks and rewrites are not checked",
                migration.path,
                super::describe_error(&error)
            ),
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
        let state = match self.observe(db, !in_transaction).await {
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
        let location = migration.statement_location(statement);
        let mut traced = StatementTrace {
            statement: statement.index,
            line: location.line,
            end_line: location.end_line,
            text: first_line(migration, statement),
            in_transaction,
            lock_timeout: state
                .settings
                .get("lock_timeout")
                .filter(|v| *v != "0")
                .cloned(),
            statement_timeout: state
                .settings
                .get("statement_timeout")
                .filter(|v| *v != "0")
                .cloned(),
            ..StatementTrace::default()
        };
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
