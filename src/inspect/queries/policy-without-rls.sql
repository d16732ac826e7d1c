-- Tables that have policies while row level security is off, so the policies do nothing.
-- $1 exposed schemas (unused), $2 managed schemas. Columns: object, detail (policy names).
select n.nspname || '.' || c.relname as object,
       string_agg(p.polname, ', ' order by p.polname) as detail
  from pg_class c
  join pg_namespace n on n.oid = c.relnamespace
  join pg_policy p on p.polrelid = c.oid
 where c.relkind in ('r', 'p')
   and not c.relrowsecurity
   and n.nspname <> all($2)
   and n.nspname not like 'pg\_%'
   and not exists (select 1 from pg_depend d
                    where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype = 'e')
 group by n.nspname, c.relname
 order by 1
