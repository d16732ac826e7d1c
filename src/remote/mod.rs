//! A live database's applied migration history, read without writing, and how it compares
//! with the local folder (`schemagate status`).

pub(crate) mod checksum;

use crate::migrations::{Layout, Migration, MigrationSet};
use serde::Serialize;
use std::collections::BTreeMap;

/// The history tables of the migration tools schemagate knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum HistoryFormat {
    /// `supabase_migrations.schema_migrations` (version, name, statements).
    Supabase,
    /// `flyway_schema_history` (version, script, CRC32 checksum, success).
    Flyway,
    /// `schema_migrations` with one row: the current version and a dirty flag.
    GolangMigrate,
    /// `schema_migrations` with one row per applied version.
    Dbmate,
    /// `goose_db_version` (version_id, is_applied), newest row per version wins.
    Goose,
    /// `_prisma_migrations` (migration_name, SHA-256 checksum, finished/rolled back).
    Prisma,
}

impl HistoryFormat {
    pub fn table(self) -> &'static str {
        match self {
            HistoryFormat::Supabase => "supabase_migrations.schema_migrations",
            HistoryFormat::Flyway => "flyway_schema_history",
            HistoryFormat::GolangMigrate | HistoryFormat::Dbmate => "schema_migrations",
            HistoryFormat::Goose => "goose_db_version",
            HistoryFormat::Prisma => "_prisma_migrations",
        }
    }

    /// The format a layout's tool writes, to prefer when several tables exist.
    pub(crate) fn of_layout(layout: Layout) -> Option<HistoryFormat> {
        match layout {
            Layout::Supabase => Some(HistoryFormat::Supabase),
            Layout::Flyway => Some(HistoryFormat::Flyway),
            Layout::GolangMigrate => Some(HistoryFormat::GolangMigrate),
            Layout::Dbmate => Some(HistoryFormat::Dbmate),
            Layout::Goose => Some(HistoryFormat::Goose),
            Layout::Prisma => Some(HistoryFormat::Prisma),
            Layout::Sqitch | Layout::Plain => None,
        }
    }
}

/// What the history stores about a migration's content, to tell whether the local file
/// changed after it was applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Content {
    Statements(Vec<String>),
    FlywayChecksum(i32),
    Sha256(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppliedEntry {
    pub version: String,
    pub name: Option<String>,
    pub content: Option<Content>,
    /// The tool recorded a failure (Flyway `success = false`, Prisma unfinished,
    /// golang-migrate `dirty`).
    pub failed: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct History {
    pub format: HistoryFormat,
    pub entries: Vec<AppliedEntry>,
    /// golang-migrate keeps only the newest version: everything up to it counts as applied.
    pub up_to: Option<String>,
}

/// Reads the applied history from the database; `None` when it has no history table.
/// Runs only SELECTs; the caller holds a READ ONLY transaction.
pub async fn read_history(
    client: &impl tokio_postgres::GenericClient,
    layout: Layout,
) -> Result<Option<History>, tokio_postgres::Error> {
    let present = present_formats(client).await?;
    let preferred = HistoryFormat::of_layout(layout).filter(|f| present.contains(f));
    let Some(format) = preferred.or_else(|| present.first().copied()) else {
        return Ok(None);
    };
    let rows = client.query(query_of(format), &[]).await?;
    let mut entries = Vec::new();
    let mut up_to = None;
    for row in rows {
        let version: Option<String> = row.get(0);
        let Some(version) = version else { continue };
        // A tool that left its flag NULL recorded no failure.
        let failed = row.get::<_, Option<bool>>(3).unwrap_or(false);
        let content = match format {
            HistoryFormat::Supabase => row
                .get::<_, Option<Vec<String>>>(2)
                .filter(|s| !s.is_empty())
                .map(Content::Statements),
            HistoryFormat::Flyway => row
                .get::<_, Option<String>>(2)
                .and_then(|c| c.parse().ok())
                .map(Content::FlywayChecksum),
            HistoryFormat::Prisma => row.get::<_, Option<String>>(2).map(Content::Sha256),
            _ => None,
        };
        if format == HistoryFormat::GolangMigrate {
            up_to = Some(version.clone());
        }
        entries.push(AppliedEntry {
            version,
            name: row.get(1),
            content,
            failed,
        });
    }
    Ok(Some(History {
        format,
        entries,
        up_to,
    }))
}

async fn present_formats(
    client: &impl tokio_postgres::GenericClient,
) -> Result<Vec<HistoryFormat>, tokio_postgres::Error> {
    let row = client
        .query_one(
            "select to_regclass('supabase_migrations.schema_migrations') is not null,
                    to_regclass('flyway_schema_history') is not null,
                    to_regclass('schema_migrations') is not null,
                    exists (select 1 from pg_attribute
                            where attrelid = to_regclass('schema_migrations')
                              and attname = 'dirty' and not attisdropped),
                    to_regclass('goose_db_version') is not null,
                    to_regclass('_prisma_migrations') is not null",
            &[],
        )
        .await?;
    let mut formats = Vec::new();
    if row.get(0) {
        formats.push(HistoryFormat::Supabase);
    }
    if row.get(1) {
        formats.push(HistoryFormat::Flyway);
    }
    if row.get(2) {
        formats.push(if row.get(3) {
            HistoryFormat::GolangMigrate
        } else {
            HistoryFormat::Dbmate
        });
    }
    if row.get(4) {
        formats.push(HistoryFormat::Goose);
    }
    if row.get(5) {
        formats.push(HistoryFormat::Prisma);
    }
    Ok(formats)
}

/// Each query returns (version text, name text, content, failed bool), oldest first.
fn query_of(format: HistoryFormat) -> &'static str {
    match format {
        HistoryFormat::Supabase => {
            "select version::text, name::text, statements::text[], false
             from supabase_migrations.schema_migrations order by version"
        }
        HistoryFormat::Flyway => {
            "select version::text, script::text, checksum::text, not success
             from flyway_schema_history where version is not null order by installed_rank"
        }
        HistoryFormat::GolangMigrate => {
            "select version::text, null::text, null::text, dirty from schema_migrations"
        }
        HistoryFormat::Dbmate => {
            "select version::text, null::text, null::text, false
             from schema_migrations order by version"
        }
        HistoryFormat::Goose => {
            "select version_id::text, null::text, null::text, false
             from (select distinct on (version_id) version_id, is_applied
                   from goose_db_version order by version_id, id desc) latest
             where is_applied and version_id > 0 order by version_id"
        }
        HistoryFormat::Prisma => {
            "select split_part(migration_name, '_', 1), migration_name::text, checksum::text,
                    finished_at is null and rolled_back_at is null
             from _prisma_migrations where rolled_back_at is null order by started_at"
        }
    }
}

/// Where a version stands between the folder and the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum State {
    Applied,
    Pending,
    /// Pending, but older than the newest applied version: tools reject or reorder it.
    OutOfOrder,
    /// Applied, and the local file changed since.
    Edited,
    /// Applied, recorded as failed or dirty.
    Failed,
    /// In the database's history, not in the folder.
    MissingLocally,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatusRow {
    pub version: String,
    /// The local file, when there is one.
    pub local: Option<String>,
    pub state: State,
}

/// Compares the folder's applied files with the database's history, in version order.
pub fn compare(set: &MigrationSet, history: &History) -> Vec<StatusRow> {
    let local: BTreeMap<String, &Migration> = set
        .applied()
        .filter_map(|m| m.version.as_ref().map(|v| (normalize_version(v), m)))
        .collect();
    let remote: BTreeMap<String, &AppliedEntry> = history
        .entries
        .iter()
        .map(|e| (normalize_version(&e.version), e))
        .collect();
    let newest_remote = remote.keys().max_by(|a, b| compare_versions(a, b)).cloned();
    let up_to = history.up_to.as_deref().map(normalize_version);
    let mut keys: Vec<&String> = local.keys().chain(remote.keys()).collect();
    keys.sort_by(|a, b| compare_versions(a, b));
    keys.dedup();
    keys.into_iter()
        .map(|key| {
            let file = local.get(key);
            let applied = remote.get(key).copied().or_else(|| {
                // golang-migrate: everything up to the current version is applied.
                up_to
                    .as_ref()
                    .filter(|top| compare_versions(key, top).is_le())
                    .and_then(|_| history.entries.first())
            });
            let state = match (file, applied) {
                (None, _) => State::MissingLocally,
                (Some(_), Some(entry)) if entry.failed && remote.contains_key(key) => State::Failed,
                (Some(m), Some(entry)) if remote.contains_key(key) && is_edited(m, entry) => {
                    State::Edited
                }
                (Some(_), Some(_)) => State::Applied,
                (Some(_), None) => match &newest_remote {
                    Some(newest) if compare_versions(key, newest).is_lt() => State::OutOfOrder,
                    _ => State::Pending,
                },
            };
            StatusRow {
                version: file
                    .and_then(|m| m.version.clone())
                    .unwrap_or_else(|| remote[key].version.clone()),
                local: file.map(|m| m.path.clone()),
                state,
            }
        })
        .collect()
}

fn compare_versions(a: &str, b: &str) -> std::cmp::Ordering {
    crate::migrations::version::compare_numeric(a, b)
}

/// `0001` and `1` are the same version to tools that store numbers.
fn normalize_version(version: &str) -> String {
    let parts: Vec<&str> = version
        .split(['.', '_'])
        .map(|p| {
            let trimmed = p.trim_start_matches('0');
            if trimmed.is_empty() && !p.is_empty() {
                "0"
            } else {
                trimmed
            }
        })
        .collect();
    let mut parts = parts;
    while parts.len() > 1 && parts.last() == Some(&"0") {
        parts.pop();
    }
    parts.join(".")
}

fn is_edited(migration: &Migration, entry: &AppliedEntry) -> bool {
    let Some(source) = &migration.source else {
        return false;
    };
    match &entry.content {
        None => false,
        Some(Content::Statements(statements)) => {
            let local =
                checksum::statement_tokens(migration.statements.iter().map(|s| s.text(source)));
            let remote = checksum::statement_tokens(statements.iter().map(String::as_str));
            local != remote
        }
        Some(Content::FlywayChecksum(stored)) => checksum::flyway(&source.text) != *stored,
        Some(Content::Sha256(stored)) => std::fs::read(&migration.abs_path)
            .map(|bytes| !checksum::sha256_hex(&bytes).eq_ignore_ascii_case(stored))
            .unwrap_or(false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_normalize() {
        assert_eq!(normalize_version("0001"), "1");
        assert_eq!(normalize_version("1.0"), "1");
        assert_eq!(normalize_version("13.1"), "13.1");
        assert_eq!(normalize_version("00000000000000"), "0");
        assert_eq!(normalize_version("20240101120000"), "20240101120000");
    }
}
