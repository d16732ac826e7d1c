-- Views and materialized views of an exposed schema that read auth.users, directly or
-- through other views, and that the API roles can read. A view without security_invoker
-- reads with its owner's rights; a materialized view stores a copy. Without the Supabase
-- roles every such view counts.
-- $1 exposed schemas, $2 managed schemas. Columns: object, detail (who can read it).
with recursive api_roles as (
    select oid, rolname from pg_roles where rolname in ('anon', 'authenticated')
), reads_users(oid) as (
    -- A view's rewrite rule depends on every relation the view reads (and on the view).
    select rw.ev_class
      from pg_rewrite rw
      join pg_depend d on d.classid = 'pg_rewrite'::regclass and d.objid = rw.oid
     where d.refclassid = 'pg_class'::regclass
       and d.refobjid = to_regclass('auth.users')
    union
    select rw.ev_class
      from reads_users r
      join pg_depend d on d.refclassid = 'pg_class'::regclass and d.refobjid = r.oid
      join pg_rewrite rw on d.classid = 'pg_rewrite'::regclass and d.objid = rw.oid
     where rw.ev_class <> r.oid
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
 where c.relkind in ('v', 'm')
   and n.nspname = any($1)
   and n.nspname <> all($2)
   and n.nspname not like 'pg\_%'
   and c.oid in (select oid from reads_users)
   and (c.relkind = 'm'
        or not exists (select 1 from unnest(c.reloptions) o
                        where o ~* '^security_invoker=(true|on|yes|1|t|y)$'))
   and not exists (select 1 from pg_depend d
                    where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype = 'e')
   and (not exists (select 1 from api_roles)
        or exists (select 1 from api_roles r
                    where has_schema_privilege(r.oid, n.oid, 'USAGE')
               and has_any_column_privilege(r.oid, c.oid, 'SELECT')))
 order by 1
