-- (after _api-readable.sql) Views and materialized views that read auth.users, directly or
-- through other views, and that the API roles can read. A view without security_invoker
-- reads with its owner's rights; a materialized view stores a copy.
-- Columns: object, detail (who can read it).
, reads_users(oid) as (
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
select object, detail
  from api_readable
 where relkind in ('v', 'm')
   and oid in (select oid from reads_users)
   and (relkind = 'm'
        or not exists (select 1 from unnest(reloptions) o
                        where o ~* '^security_invoker=(true|on|yes|1|t|y)$'))
 order by 1
