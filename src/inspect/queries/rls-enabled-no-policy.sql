-- Tables of an exposed schema with row level security on and no policy: the API roles can
-- neither read nor write a row, which is rarely what the author meant.
-- $1 exposed schemas, $2 managed schemas. Columns: object, detail (none).
select n.nspname || '.' || c.relname as object,
       null::text as detail
  from pg_class c
  join pg_namespace n on n.oid = c.relnamespace
 where c.relkind in ('r', 'p')
   and c.relrowsecurity
   and n.nspname = any($1)
   and n.nspname <> all($2)
   and n.nspname not like 'pg\_%'
   and not exists (select 1 from pg_policy p where p.polrelid = c.oid)
   and not exists (select 1 from pg_depend d
                    where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype = 'e')
 order by 1
