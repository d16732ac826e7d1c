-- SECURITY DEFINER functions of an exposed schema that the anonymous API role (the first API
-- role: Supabase's anon) may execute: anyone holding the public API key can call them over
-- RPC, with the owner's rights. Trigger functions cannot be called that way and are skipped.
-- $1 exposed schemas, $2 managed schemas, $3 API roles.
-- Columns: object (schema.function), detail (the signature).
select n.nspname || '.' || p.proname as object,
       p.oid::regprocedure::text as detail
  from pg_proc p
  join pg_namespace n on n.oid = p.pronamespace
  join pg_roles anon on anon.rolname = ($3::text[])[1]
 where p.prosecdef
   and p.prokind in ('f', 'p')
   and p.prorettype not in ('trigger'::regtype, 'event_trigger'::regtype)
   and has_schema_privilege(anon.oid, n.oid, 'USAGE')
   and has_function_privilege(anon.oid, p.oid, 'EXECUTE')
   and n.nspname = any($1)
   and n.nspname <> all($2)
   and n.nspname not like 'pg\_%'
   and not exists (select 1 from pg_depend d
                    where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e')
 order by 1, 2
