-- Tables with two or more permissive policies that apply to the same role and the same
-- command: PostgreSQL evaluates all of them for every row (they are OR-ed).
-- A policy for PUBLIC (role oid 0) applies to every role; FOR ALL to every command.
-- $1 exposed schemas (unused), $2 managed schemas. Columns: object, detail (policy names).
select n.nspname || '.' || c.relname as object,
       string_agg(distinct names.polname, ', ') as detail
  from pg_policy p1
  join pg_policy p2 on p2.polrelid = p1.polrelid and p2.oid > p1.oid
  join pg_class c on c.oid = p1.polrelid
  join pg_namespace n on n.oid = c.relnamespace
 cross join lateral (values (p1.polname), (p2.polname)) as names(polname)
 where p1.polpermissive
   and p2.polpermissive
   and (p1.polcmd = p2.polcmd or p1.polcmd = '*' or p2.polcmd = '*')
   and (0 = any(p1.polroles) or 0 = any(p2.polroles) or p1.polroles && p2.polroles)
   and n.nspname <> all($2)
   and n.nspname not like 'pg\_%'
   and not exists (select 1 from pg_depend d
                    where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype = 'e')
 group by n.nspname, c.relname
 order by 1
