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

impl Scratch {
    pub async fn create(url: &str) -> Result<Scratch, Failure> {
        let admin_config = parse(url)?;
        let admin = connect(&admin_config, "the --database-url server").await?;
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let name = format!("schemagate_scratch_{}_{nanos:09}", std::process::id());
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
