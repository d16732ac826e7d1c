-- Shared head of the rules about what the API can read (prepended to their queries, which
-- go on from here): `api_readable` is every relation of an exposed, unmanaged schema that is
-- not part of an extension and that an API role can select from, with `detail` naming who.
-- $1 exposed schemas, $2 managed schemas, $3 API roles.
with recursive api_roles as (
    select oid, rolname from pg_roles where rolname = any($3)
), api_readable as (
    select c.oid, c.relkind, c.relrowsecurity, c.reloptions,
           n.nspname || '.' || c.relname as object,
           coalesce(
               (select string_agg(r.rolname, ' and ' order by r.rolname)
                  from api_roles r
                 where has_schema_privilege(r.oid, n.oid, 'USAGE')
                   and has_any_column_privilege(r.oid, c.oid, 'SELECT')),
               'any role granted access'
           ) as detail
      from pg_class c
      join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = any($1)
       and n.nspname <> all($2)
       and n.nspname not like 'pg\_%'
       and not exists (select 1 from pg_depend d
                        where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype = 'e')
       and exists (select 1 from api_roles r
                    where has_schema_privilege(r.oid, n.oid, 'USAGE')
                      and has_any_column_privilege(r.oid, c.oid, 'SELECT'))
)
