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

/// The names of scratch databases: `<prefix><pid>_<unix microseconds created>` (short:
/// longer names break the dump's verification).
const SCRATCH_PREFIX: &str = "schemagate_scratch_";

/// A scratch database older than this was left by a killed run (GitHub ends a job after
/// 6 hours; no run lasts longer).
const LONGEST_RUN_SECS: u64 = 6 * 60 * 60;

/// Drops the scratch databases that killed runs left on this server, and the roles of
/// scratch databases already gone (a run killed between dropping the two), best effort.
async fn sweep_stale(admin: &tokio_postgres::Client, now: u64) {
    if let Ok(roles) = admin
        .query(
            "select rolname::text from pg_roles where starts_with(rolname, $1)
               and not exists (select from pg_database where datname = rolname)",
            &[&SCRATCH_PREFIX],
        )
        .await
    {
        for name in roles
            .iter()
            .filter_map(|row| row.try_get::<_, String>(0).ok())
            .filter(|name| is_stale(name, now))
        {
            if admin
                .batch_execute(&format!("drop role if exists \"{name}\""))
                .await
                .is_ok()
            {
                eprintln!("note: dropped the role {name}, which a killed run left");
            }
        }
    }
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
                // Its role has its name (siblings' roles go with their first database).
                let _ = admin
                    .batch_execute(&format!("drop role if exists \"{name}\""))
                    .await;
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
        .and_then(|rest| rest.split('_').nth(1))
        .and_then(|micros| micros.parse::<u64>().ok())
        .map(|micros| micros / 1_000_000);
    created.is_some_and(|created| now.saturating_sub(created) > LONGEST_RUN_SECS)
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
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        sweep_stale(&admin, now.as_secs()).await;
        // Created at `now`: a later run can tell when a killed run's database is stale.
        let name = format!("{SCRATCH_PREFIX}{}_{}", std::process::id(), now.as_micros());
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_names_with_an_old_creation_time_are_stale() {
        let now = 1_800_000_000;
        assert!(is_stale("schemagate_scratch_12_1700000000000001", now));
        assert!(!is_stale("schemagate_scratch_12_1799999000000001", now));
        assert!(!is_stale("schemagate_scratch_12", now));
        assert!(!is_stale("precious", now));
    }
}
