-- Materialized views of an exposed schema that the API roles can read: a materialized view
-- has no row level security, so every row is readable. Without the Supabase roles every
-- such view counts.
-- $1 exposed schemas, $2 managed schemas. Columns: object, detail (who can read it).
with api_roles as (
    select oid, rolname from pg_roles where rolname in ('anon', 'authenticated')
)
select n.nspname || '.' || c.relname as object,
       coalesce(
           (select string_agg(r.rolname, ' and ' order by r.rolname)
              from api_roles r
             where has_schema_privilege(r.oid, n.oid, 'USAGE')
               and has_any_column_privilege(r.oid, c.oid, 'SELECT')),
           'any role granted access'
       ) as detail
  from pg_class c
  join pg_namespace n on n.oid = c.relnamespace
 where c.relkind = 'm'
   and n.nspname = any($1)
   and n.nspname <> all($2)
   and n.nspname not like 'pg\_%'
   and not exists (select 1 from pg_depend d
                    where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype = 'e')
   and (not exists (select 1 from api_roles)
        or exists (select 1 from api_roles r
                    where has_schema_privilege(r.oid, n.oid, 'USAGE')
               and has_any_column_privilege(r.oid, c.oid, 'SELECT')))
 order by 1
