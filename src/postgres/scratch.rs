//! `--database-url`: a scratch database with a unique name on an existing server, dropped
//! at the end (also on failure and on SIGINT/SIGTERM). No other database is touched.

use super::cleanup::{self, Registration, Resource};
use crate::Failure;

/// A scratch database; dropping it drops the database.
#[derive(Debug)]
pub struct Scratch {
    pub url: String,
    pub name: String,
    pub config: tokio_postgres::Config,
    _registration: Registration,
}

pub use super::connect::{connect, parse};

/// The names of scratch databases: `<prefix><pid>_<nanoseconds>_<unix seconds created>`.
const SCRATCH_PREFIX: &str = "schemagate_scratch_";

/// A scratch database older than this was left by a killed run (GitHub ends a job after
/// 6 hours; no run lasts longer).
const LONGEST_RUN_SECS: u64 = 6 * 60 * 60;

/// Drops the scratch databases that killed runs left on this server (best effort).
async fn sweep_stale(admin: &tokio_postgres::Client, now: u64) {
    let Ok(rows) = admin
        .query(
            "select datname::text from pg_database where starts_with(datname, $1)",
            &[&SCRATCH_PREFIX],
        )
        .await
    else {
        return;
    };
    for name in rows
        .iter()
        .filter_map(|row| row.try_get::<_, String>(0).ok())
    {
        if is_stale(&name, now) {
            let statement = format!("drop database if exists \"{name}\" with (force)");
            if admin.batch_execute(&statement).await.is_ok() {
                eprintln!("note: dropped {name}, a scratch database a killed run left");
            }
        }
    }
}

/// Was `name` created more than [`LONGEST_RUN_SECS`] before `now`? Names without a
/// creation time are never stale.
fn is_stale(name: &str, now: u64) -> bool {
    let created = name
        .strip_prefix(SCRATCH_PREFIX)
        .and_then(|rest| rest.split('_').nth(2))
        .and_then(|secs| secs.parse::<u64>().ok());
    created.is_some_and(|created| now.saturating_sub(created) > LONGEST_RUN_SECS)
}

impl Scratch {
    pub async fn create(url: &str) -> Result<Scratch, Failure> {
        let admin_config = parse(url)?;
        let admin = connect(&admin_config, "the --database-url server").await?;
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        sweep_stale(&admin, now.as_secs()).await;
        // Created at `now`: a later run can tell when a killed run's database is stale.
        let name = format!(
            "{SCRATCH_PREFIX}{}_{:09}_{}",
            std::process::id(),
            now.subsec_nanos(),
            now.as_secs()
        );
        admin
            .batch_execute(&format!("create database \"{name}\""))
            .await
            .map_err(|e| {
                Failure::Environment(format!(
                    "cannot create a scratch database on the --database-url server: {}; the user needs the CREATEDB privilege",
                    super::describe_error(&e)
                ))
            })?;
        let registration = cleanup::register(Resource::ScratchDatabase {
            url: url.to_string(),
            name: name.clone(),
        });
        let mut config = admin_config;
        config.dbname(&name);
        Ok(Scratch {
            url: url.to_string(),
            name,
            config,
            _registration: registration,
        })
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if let Err(error) = drop_database_blocking(&self.url, &self.name) {
            eprintln!(
                "warning: could not drop the scratch database {}: {error}; drop it by hand",
                self.name
            );
        }
    }
}

/// Drops the scratch database from a thread of its own (callers may be inside a runtime).
pub fn drop_database_blocking(url: &str, name: &str) -> Result<(), String> {
    let url = url.to_string();
    let name = name.to_string();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| e.to_string())?;
        runtime.block_on(async {
            let config = parse(&url).map_err(|e| e.to_string())?;
            let client = connect(&config, "the --database-url server")
                .await
                .map_err(|e| e.to_string())?;
            let statement = format!("drop database if exists \"{name}\" with (force)");
            if client.batch_execute(&statement).await.is_err() {
                // Servers before 13 have no FORCE.
                client
                    .batch_execute(&format!("drop database if exists \"{name}\""))
                    .await
                    .map_err(|e| super::describe_error(&e))?;
            }
            Ok(())
        })
    })
    .join()
    .map_err(|_| "the clean-up thread panicked".to_string())?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_names_with_an_old_creation_time_are_stale() {
        let now = 1_800_000_000;
        assert!(is_stale("schemagate_scratch_12_000000001_1700000000", now));
        assert!(!is_stale("schemagate_scratch_12_000000001_1799999000", now));
        assert!(!is_stale("schemagate_scratch_12_000000001", now));
        assert!(!is_stale("precious", now));
    }
}
