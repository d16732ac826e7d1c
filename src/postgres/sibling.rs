//! More databases on the server a [`Database`] runs on, prepared the same way (prelude,
//! apply role, timeouts). Comparing two ways of applying migrations (the order check) needs
//! independent databases; creating them on the same server costs a `CREATE DATABASE` instead
//! of another cluster start.

use super::connect::{connect, Target};
use super::{connect_applying, prepare_database, Database, Holder, ServerOptions};
use crate::Failure;
use std::sync::atomic::{AtomicU32, Ordering};

/// What a sibling on an ephemeral cluster keeps: the superuser's connection settings, to
/// create further siblings. The database itself goes away with the cluster.
#[derive(Debug)]
pub struct Held {
    admin: Target,
}

static NEXT: AtomicU32 = AtomicU32::new(1);

impl Database {
    /// A new, empty database on the same server, prepared like a fresh one from
    /// [`super::open`] with `options`. With `--database-url` it is another scratch database
    /// owned by the same role (dropped when the sibling is dropped); on an ephemeral cluster
    /// it lives as long as the cluster. Drop siblings before the database they came from.
    pub async fn create_sibling(&self, options: &ServerOptions) -> Result<Database, Failure> {
        let admin = match &self._holder {
            Holder::Scratch(scratch) => {
                return super::open_scratch(scratch.sibling().await?, options).await
            }
            Holder::Cluster(_) => self.connection.clone(),
            Holder::Sibling(held) => held.admin.clone(),
        };
        let name = format!(
            "schemagate_sibling_{}",
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let server = connect(&admin, "the ephemeral server").await?;
        server
            .batch_execute(&format!("create database \"{name}\""))
            .await
            .map_err(|e| {
                Failure::Environment(format!(
                    "cannot create a second database on the ephemeral server: {}",
                    super::describe_error(&e)
                ))
            })?;
        let mut config = admin.clone();
        config.config.dbname(&name);
        let setup = connect(&config, "the ephemeral server").await?;
        prepare_database(&setup, options.supabase).await?;
        let apply_role = options.apply_as.cluster_role();
        let mut apply_config = config.clone();
        apply_config.config.user(apply_role);
        let client = connect_applying(apply_config, options, "the ephemeral server").await?;
        Ok(Database {
            connection: config,
            client,
            admin: setup,
            description: super::describe(&self.server, apply_role, options.apply_as),
            server: self.server.clone(),
            supabase: options.supabase,
            _holder: Holder::Sibling(Box::new(Held { admin })),
        })
    }
}
