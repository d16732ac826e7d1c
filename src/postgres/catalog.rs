//! What each migration file did to the catalog, for attribution: which relations,
//! functions, policies, triggers, types, schemas and extensions it created, altered or
//! dropped. Recorded by event triggers (`ddl_command_end`, `sql_drop`) into a log table
//! while the file runs, so DDL run by dynamic SQL (`execute` in a `DO` block) counts too,
//! a failed file's entries roll back with it, and reading the log costs one query per file
//! however large the schema is. The tracker is removed before anything inspects the catalog.

use tokio_postgres::Client;

/// One catalog object a file touched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Object {
    /// `table`, `function`, `index`, `policy`, `trigger`, `type`, `schema`, `extension`, …
    pub kind: String,
    /// PostgreSQL's object identity: `public.t`, `auth.x()`, `own on public.t`.
    pub name: String,
    pub schema: String,
    /// Created by an extension's script (not by the migration itself).
    pub from_extension: bool,
}

impl Object {
    /// `function auth.x()`, `table public.t`.
    pub fn label(&self) -> String {
        format!("{} {}", self.kind, self.name)
    }
}

/// What one file did to the catalog.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    pub created: Vec<Object>,
    pub changed: Vec<Object>,
    pub dropped: Vec<Object>,
}

impl Changes {
    pub fn created_extension(&self) -> bool {
        self.created.iter().any(|o| o.kind == "extension")
    }
}

const INSTALL: &str = r#"
create schema schemagate_apply;
create table schemagate_apply.log (
  id bigserial primary key,
  event text not null,
  tag text,
  object_type text,
  schema_name text,
  identity text,
  in_extension boolean not null default false
);
create function schemagate_apply.on_ddl() returns event_trigger language plpgsql
security definer set search_path = pg_catalog as $$
begin
  insert into schemagate_apply.log (event, tag, object_type, schema_name, identity, in_extension)
  select 'ddl', command_tag, object_type, schema_name, object_identity, in_extension
  from pg_event_trigger_ddl_commands();
end
$$;
create function schemagate_apply.on_drop() returns event_trigger language plpgsql
security definer set search_path = pg_catalog as $$
begin
  insert into schemagate_apply.log (event, tag, object_type, schema_name, identity)
  select 'drop', tg_tag, object_type, schema_name, object_identity
  from pg_event_trigger_dropped_objects() where original or normal;
end
$$;
create event trigger schemagate_apply_ddl on ddl_command_end execute function schemagate_apply.on_ddl();
create event trigger schemagate_apply_drop on sql_drop execute function schemagate_apply.on_drop();
"#;

const REMOVE: &str = r#"
drop event trigger if exists schemagate_apply_ddl;
drop event trigger if exists schemagate_apply_drop;
drop schema if exists schemagate_apply cascade;
"#;

/// Installs the tracker (needs a superuser session).
pub async fn install(client: &Client) -> Result<(), tokio_postgres::Error> {
    client.batch_execute(INSTALL).await
}

/// Removes the tracker, leaving the catalog as the migrations made it.
pub async fn remove(client: &Client) -> Result<(), tokio_postgres::Error> {
    client.batch_execute(REMOVE).await
}

/// Reads and clears the log: what happened since the last call.
pub async fn take_changes(client: &Client) -> Result<Changes, tokio_postgres::Error> {
    let rows = client
        .query(
            "delete from schemagate_apply.log returning id, event, coalesce(tag, ''), coalesce(object_type, ''), coalesce(schema_name, ''), coalesce(identity, ''), in_extension",
            &[],
        )
        .await?;
    let mut entries: Vec<(i64, String, String, Object)> = Vec::with_capacity(rows.len());
    for row in rows {
        entries.push((
            row.try_get(0)?,
            row.try_get(1)?,
            row.try_get(2)?,
            Object {
                kind: row.try_get(3)?,
                schema: row.try_get(4)?,
                name: row.try_get(5)?,
                from_extension: row.try_get(6)?,
            },
        ));
    }
    entries.sort_by_key(|(id, ..)| *id);
    let mut changes = Changes::default();
    for (_, event, tag, object) in entries {
        let list = if event == "drop" {
            &mut changes.dropped
        } else if tag.starts_with("CREATE") || tag == "SELECT INTO" {
            &mut changes.created
        } else if tag.starts_with("ALTER") && tag != "ALTER DEFAULT PRIVILEGES" {
            &mut changes.changed
        } else {
            continue;
        };
        if !list.contains(&object) {
            list.push(object);
        }
    }
    // Altered after being created in the same file: it is simply new.
    let created = changes.created.clone();
    changes
        .changed
        .retain(|o| !created.iter().any(|c| c.kind == o.kind && c.name == o.name));
    Ok(changes)
}
