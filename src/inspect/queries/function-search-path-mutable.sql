-- Functions and procedures (not SECURITY DEFINER: that is its own rule) written in a
-- language that resolves names at run time, without a search_path setting. Bodies in C or
-- internal, and SQL-standard `BEGIN ATOMIC` bodies (resolved when created, stored with an
-- empty prosrc), do not depend on the search_path.
-- $1 exposed schemas (unused), $2 managed schemas.
-- Columns: object (schema.function), detail (the signature).
select n.nspname || '.' || p.proname as object,
       p.oid::regprocedure::text as detail
  from pg_proc p
  join pg_namespace n on n.oid = p.pronamespace
  join pg_language l on l.oid = p.prolang
 where not p.prosecdef
   and p.prokind in ('f', 'p')
   and l.lanname not in ('c', 'internal')
   and p.prosrc <> ''
   and not exists (select 1 from unnest(p.proconfig) s where s like 'search\_path=%')
   and n.nspname <> all($2)
   and n.nspname not like 'pg\_%'
   and not exists (select 1 from pg_depend d
                    where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e')
 order by 1, 2
