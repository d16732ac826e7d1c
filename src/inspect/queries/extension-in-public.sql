-- Extensions installed into public or another exposed schema: their functions, types and
-- tables land in the API and clutter (or shadow) the application's own names.
-- $1 exposed schemas, $2 managed schemas.
-- Columns: object (schema.extension), detail (the schema).
select n.nspname || '.' || e.extname as object,
       n.nspname::text as detail
  from pg_extension e
  join pg_namespace n on n.oid = e.extnamespace
 where (n.nspname = 'public' or n.nspname = any($1))
   and n.nspname <> all($2)
   and e.extname <> 'plpgsql'
 order by 1
