//! `--database-url`: a scratch database with a unique name on an existing server, and a
//! role of its own that owns it and nothing else (no superuser, CREATEROLE or CREATEDB), which
//! the migrations log in as; both dropped at the end (also on failure and on SIGINT/SIGTERM).
//! No other database is touched.

use super::cleanup::{self, Registration, Resource};
use super::connect::{connect, parse, Target};
use crate::Failure;

/// A scratch database and its apply role; dropping it drops both.
#[derive(Debug)]
pub struct Scratch {
    pub url: String,
    pub name: String,
    /// The URL's user, connected to the scratch database.
    pub config: Target,
    /// The role migrations run as (`schemagate_scratch_…`); it owns the scratch database.
    pub role: String,
    /// The apply role's connection settings (with its password).
    pub role_config: Target,
    _registration: Registration,
}

/// The role a scratch database belongs to, and how to log in as it.
struct Owner {
    name: String,
    config: Target,
}

impl Scratch {
    /// A scratch database and a new role that owns it.
    pub async fn create(url: &str) -> Result<Scratch, Failure> {
        Self::create_owned_by(url, None).await
    }

    /// Another scratch database owned by this one's role (so what one database's migrations
    /// grant or set for the role reads the same in the other). Drop it first: the role goes
    /// with the last of its databases.
    pub async fn sibling(&self) -> Result<Scratch, Failure> {
        let owner = Owner {
            name: self.role.clone(),
            config: self.role_config.clone(),
        };
        Self::create_owned_by(&self.url, Some(owner)).await
    }

    async fn create_owned_by(url: &str, owner: Option<Owner>) -> Result<Scratch, Failure> {
        let admin_config = parse(url)?;
        admin_config.require_session(
            &crate::commands::redact::redact_url(url),
            "a scratch database (check, diff and dump-schema with --database-url: CREATE DATABASE, session settings, the migrations' own SETs)",
        )?;
        let admin = connect(&admin_config, "the --database-url server").await?;
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let name = format!("schemagate_scratch_{}_{nanos:09}", std::process::id());
        let mut setup = Vec::new();
        let owner = match owner {
            Some(owner) => owner,
            None => {
                let password = super::role::random_password()?;
                // The URL's user must be a member of the role to hand it the database.
                setup.push(super::role::scratch_role_sql(&name, &password));
                setup.push(format!("grant \"{name}\" to current_user"));
                let mut config = admin_config.clone();
                config.config.user(&name).password(password);
                Owner {
                    name: name.clone(),
                    config,
                }
            }
        };
        setup.push(format!(
            "create database \"{name}\" owner \"{}\"",
            owner.name
        ));
        // Registered first: whatever of the two exists when a signal comes is dropped.
        let registration = cleanup::register(Resource::ScratchDatabase {
            url: url.to_string(),
            name: name.clone(),
            role: owner.name.clone(),
        });
        // One by one: CREATE DATABASE cannot run in the implicit transaction of a batch.
        for statement in &setup {
            if let Err(error) = admin.batch_execute(statement).await {
                drop(admin);
                let _ = drop_blocking(url, &name, &owner.name);
                return Err(Failure::Environment(format!(
                    "cannot create a scratch database and its role on the --database-url server: {}; the user needs the CREATEDB and CREATEROLE privileges (a superuser, e.g. the postgres user of a service container, has them)",
                    super::describe_error(&error)
                )));
            }
        }
        let mut config = admin_config;
        config.config.dbname(&name);
        let mut role_config = owner.config;
        role_config.config.dbname(&name);
        Ok(Scratch {
            url: url.to_string(),
            name,
            config,
            role: owner.name,
            role_config,
            _registration: registration,
        })
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if let Err(error) = drop_blocking(&self.url, &self.name, &self.role) {
            eprintln!(
                "warning: could not drop the scratch database {} and its role: {error}; drop them by hand",
                self.name
            );
        }
    }
}

/// Drops the scratch database, then its role, from a thread of its own (callers may be
/// inside a runtime).
pub fn drop_blocking(url: &str, name: &str, role: &str) -> Result<(), String> {
    let url = url.to_string();
    let name = name.to_string();
    let role = role.to_string();
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
            match client
                .batch_execute(&format!("drop role if exists \"{role}\""))
                .await
            {
                // Another scratch database of this run still belongs to it; the role goes
                // with the last one.
                Err(e)
                    if e.code()
                        == Some(
                            &tokio_postgres::error::SqlState::DEPENDENT_OBJECTS_STILL_EXIST,
                        ) =>
                {
                    Ok(())
                }
                result => result.map_err(|e| super::describe_error(&e)),
            }
        })
    })
    .join()
    .map_err(|_| "the clean-up thread panicked".to_string())?
}
