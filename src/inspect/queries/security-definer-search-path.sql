-- SECURITY DEFINER functions and procedures without a search_path setting: they run with
-- their owner's rights and resolve names through the caller's search_path.
-- $1 exposed schemas (unused), $2 managed schemas.
-- Columns: object (schema.function), detail (the signature).
select n.nspname || '.' || p.proname as object,
       p.oid::regprocedure::text as detail
  from pg_proc p
  join pg_namespace n on n.oid = p.pronamespace
 where p.prosecdef
   and p.prokind in ('f', 'p')
   and not exists (select 1 from unnest(p.proconfig) s where s like 'search\_path=%')
   and n.nspname <> all($2)
   and n.nspname not like 'pg\_%'
   and not exists (select 1 from pg_depend d
                    where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e')
 order by 1, 2
