//! Writing a deployed migration into the history table exactly as its tool would, in the
//! migration's own transaction: a failed migration leaves no row, an applied one always has
//! its row.

use crate::migrations::Migration;
use crate::remote::checksum;
use crate::remote::HistoryFormat;
use crate::Failure;
use tokio_postgres::Client;

/// The formats `deploy` writes. Prisma keeps state (rolled-back and step counts, logs) only
/// `prisma migrate deploy` should write.
pub fn check_supported(format: HistoryFormat) -> Result<(), Failure> {
    match format {
        HistoryFormat::Prisma => Err(Failure::Usage(
            "deploy writes the history of the Supabase CLI, dbmate, golang-migrate, goose and Flyway; deploy Prisma migrations with `prisma migrate deploy`".to_string(),
        )),
        _ => Ok(()),
    }
}

/// Creates the history table when the database has none yet, as the tool does on its first
/// run (inside the first migration's transaction).
pub async fn ensure_table(
    client: &Client,
    format: HistoryFormat,
) -> Result<(), tokio_postgres::Error> {
    let sql = match format {
        HistoryFormat::Supabase => {
            "create schema if not exists supabase_migrations;
             create table if not exists supabase_migrations.schema_migrations
               (version text not null primary key, statements text[], name text)"
        }
        HistoryFormat::Dbmate => {
            "create table if not exists public.schema_migrations (version varchar(128) primary key)"
        }
        HistoryFormat::GolangMigrate => {
            "create table if not exists public.schema_migrations (version bigint not null primary key, dirty boolean not null)"
        }
        HistoryFormat::Goose => {
            "do $goose$ begin
               if to_regclass('goose_db_version') is null then
                 create table public.goose_db_version (id serial primary key, version_id bigint not null,
                   is_applied boolean not null, tstamp timestamp default now());
                 insert into public.goose_db_version (version_id, is_applied) values (0, true);
               end if;
             end $goose$"
        }
        HistoryFormat::Flyway => {
            "create table if not exists public.flyway_schema_history (
               installed_rank integer not null primary key, version varchar(50),
               description varchar(200) not null, type varchar(20) not null,
               script varchar(1000) not null, checksum integer,
               installed_by varchar(100) not null, installed_on timestamp not null default now(),
               execution_time integer not null, success boolean not null)"
        }
        HistoryFormat::Prisma => return Ok(()),
    };
    client.batch_execute(sql).await
}

/// The row (or, for golang-migrate, the one row) that says `migration` is applied.
pub async fn record(
    client: &Client,
    format: HistoryFormat,
    migration: &Migration,
    statements: &[String],
    elapsed_ms: i32,
) -> Result<(), tokio_postgres::Error> {
    let version = migration.version.clone().unwrap_or_default();
    match format {
        HistoryFormat::Supabase => {
            client
                .execute(
                    "insert into supabase_migrations.schema_migrations (version, name, statements) values ($1, $2, $3)",
                    &[&version, &migration.name, &statements],
                )
                .await?;
        }
        HistoryFormat::Dbmate => {
            client
                .execute(
                    "insert into schema_migrations (version) values ($1)",
                    &[&version],
                )
                .await?;
        }
        HistoryFormat::GolangMigrate => {
            let number: i64 = version.parse().unwrap_or_default();
            client
                .batch_execute("delete from schema_migrations")
                .await?;
            client
                .execute(
                    "insert into schema_migrations (version, dirty) values ($1, false)",
                    &[&number],
                )
                .await?;
        }
        HistoryFormat::Goose => {
            let number: i64 = version.parse().unwrap_or_default();
            client
                .execute(
                    "insert into goose_db_version (version_id, is_applied) values ($1, true)",
                    &[&number],
                )
                .await?;
        }
        HistoryFormat::Flyway => {
            let script = migration
                .abs_path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let text = migration
                .source
                .as_ref()
                .map(|s| s.text.as_str())
                .unwrap_or("");
            client
                .execute(
                    "insert into flyway_schema_history (installed_rank, version, description, type, script, checksum, installed_by, execution_time, success)
                     select coalesce(max(installed_rank), 0) + 1, $1, $2, 'SQL', $3, $4, current_user, $5, true from flyway_schema_history",
                    &[&version, &flyway_description(&migration.name), &script, &checksum::flyway(text), &elapsed_ms],
                )
                .await?;
        }
        HistoryFormat::Prisma => {}
    }
    Ok(())
}

/// Flyway's description: the name after the version, underscores as spaces.
fn flyway_description(name: &str) -> String {
    name.replace('_', " ")
}
