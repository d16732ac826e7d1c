//! Catalog snapshots between files: which relations, functions, policies, triggers,
//! types, schemas and extensions each migration created, changed or dropped. Seen from
//! the catalog, so objects made by dynamic SQL (`EXECUTE` in a `DO` block) count too.

use std::collections::BTreeMap;
use tokio_postgres::Client;

/// One catalog object: its kind, display name, schema, and a signature that changes when
/// its definition does (not when, e.g., a trigger is added to a table).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Object {
    pub kind: String,
    pub name: String,
    pub schema: String,
    /// Created by an extension's script (not by the migration itself).
    pub from_extension: bool,
    signature: String,
}

/// Objects by (kind, oid).
#[derive(Debug, Clone, Default)]
pub struct Snapshot(BTreeMap<(String, u32), Object>);

/// What one file did to the catalog.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    pub created: Vec<Object>,
    pub changed: Vec<Object>,
    pub dropped: Vec<Object>,
}

impl Object {
    /// `function auth.x()`, `table public.t`.
    pub fn label(&self) -> String {
        format!("{} {}", self.kind, self.name)
    }
}

const QUERY: &str = r#"
with user_ns as (
  select oid, nspname, nspowner from pg_namespace
  where nspname not in ('pg_catalog', 'information_schema', 'pg_toast')
    and nspname not like 'pg_temp_%' and nspname not like 'pg_toast_temp_%'
)
select case c.relkind when 'r' then 'table' when 'p' then 'table' when 'v' then 'view'
         when 'm' then 'materialized view' when 'i' then 'index' when 'I' then 'index'
         when 'S' then 'sequence' when 'f' then 'foreign table' else 'type' end,
       c.oid, format('%I.%I', n.nspname, c.relname), n.nspname::text,
       md5(concat_ws('|', c.relname, c.relkind, c.relrowsecurity, c.relforcerowsecurity, c.relowner,
         c.reloptions::text, case when c.relkind in ('v', 'm') then pg_get_viewdef(c.oid) end,
         (select string_agg(concat_ws(':', a.attname, a.atttypid, a.attnotnull, a.atthasdef, a.attisdropped), ',' order by a.attnum)
            from pg_attribute a where a.attrelid = c.oid and a.attnum > 0),
         (select string_agg(pg_get_constraintdef(k.oid), ',' order by k.conname) from pg_constraint k where k.conrelid = c.oid))),
       exists (select from pg_depend d where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype = 'e')
from pg_class c join user_ns n on n.oid = c.relnamespace
where c.relkind in ('r', 'p', 'v', 'm', 'i', 'I', 'S', 'f')
union all
select case p.prokind when 'p' then 'procedure' when 'a' then 'aggregate' else 'function' end,
       p.oid, format('%I.%I(%s)', n.nspname, p.proname, pg_get_function_identity_arguments(p.oid)), n.nspname::text,
       md5(concat_ws('|', p.prosrc, p.prosecdef, p.provolatile, p.proowner, p.proconfig::text, p.prorettype, p.probin)),
       exists (select from pg_depend d where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e')
from pg_proc p join user_ns n on n.oid = p.pronamespace
union all
select 'policy', p.oid, format('%I on %I.%I', p.polname, n.nspname, c.relname), n.nspname::text,
       md5(concat_ws('|', p.polcmd, p.polpermissive, p.polroles::text, pg_get_expr(p.polqual, p.polrelid), pg_get_expr(p.polwithcheck, p.polrelid))), false
from pg_policy p join pg_class c on c.oid = p.polrelid join user_ns n on n.oid = c.relnamespace
union all
select 'trigger', t.oid, format('%I on %I.%I', t.tgname, n.nspname, c.relname), n.nspname::text,
       md5(pg_get_triggerdef(t.oid)), false
from pg_trigger t join pg_class c on c.oid = t.tgrelid join user_ns n on n.oid = c.relnamespace
where not t.tgisinternal
union all
select 'type', t.oid, format('%I.%I', n.nspname, t.typname), n.nspname::text,
       md5(concat_ws('|', t.typname, t.typtype, t.typowner,
         (select string_agg(e.enumlabel, ',' order by e.enumsortorder) from pg_enum e where e.enumtypid = t.oid))),
       exists (select from pg_depend d where d.classid = 'pg_type'::regclass and d.objid = t.oid and d.deptype = 'e')
from pg_type t join user_ns n on n.oid = t.typnamespace
where t.typtype in ('e', 'd', 'r', 'm')
   or (t.typtype = 'c' and exists (select from pg_class c where c.oid = t.typrelid and c.relkind = 'c'))
union all
select 'schema', n.oid, format('%I', n.nspname), n.nspname::text, md5(concat_ws('|', n.nspowner)),
       exists (select from pg_depend d where d.classid = 'pg_namespace'::regclass and d.objid = n.oid and d.deptype = 'e')
from user_ns n
union all
select 'extension', e.oid, e.extname::text, n.nspname::text, e.extversion, false
from pg_extension e join pg_namespace n on n.oid = e.extnamespace
"#;

impl Snapshot {
    pub async fn take(client: &Client) -> Result<Snapshot, tokio_postgres::Error> {
        let rows = client.query(QUERY, &[]).await?;
        let mut objects = BTreeMap::new();
        for row in rows {
            let kind: String = row.try_get(0)?;
            let oid: u32 = row.try_get(1)?;
            objects.insert(
                (kind.clone(), oid),
                Object {
                    kind,
                    name: row.try_get(2)?,
                    schema: row.try_get(3)?,
                    signature: row.try_get::<_, Option<String>>(4)?.unwrap_or_default(),
                    from_extension: row.try_get(5)?,
                },
            );
        }
        Ok(Snapshot(objects))
    }

    /// What happened between `self` (before) and `after`.
    pub fn diff(&self, after: &Snapshot) -> Changes {
        let mut changes = Changes::default();
        for (key, object) in &after.0 {
            match self.0.get(key) {
                None => changes.created.push(object.clone()),
                Some(before) if before != object => changes.changed.push(object.clone()),
                Some(_) => {}
            }
        }
        for (key, object) in &self.0 {
            if !after.0.contains_key(key) {
                changes.dropped.push(object.clone());
            }
        }
        changes
    }

    /// Extensions and their versions.
    pub fn extensions(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0
            .values()
            .filter(|o| o.kind == "extension")
            .map(|o| (o.name.as_str(), o.signature.as_str()))
    }
}

impl Changes {
    /// Extensions this file created, with their versions.
    pub fn created_extensions(&self) -> impl Iterator<Item = (&str, &str)> {
        self.created
            .iter()
            .filter(|o| o.kind == "extension")
            .map(|o| (o.name.as_str(), o.signature.as_str()))
    }
}
