-- Policies whose USING or WITH CHECK expression reads user metadata, which every signed-in
-- user can change for themselves through the auth API.
-- $1 exposed schemas (unused), $2 managed schemas.
-- Columns: object (schema.table.policy), detail (none).
select n.nspname || '.' || c.relname || '.' || p.polname as object,
       null::text as detail
  from pg_policy p
  join pg_class c on c.oid = p.polrelid
  join pg_namespace n on n.oid = c.relnamespace
 where concat_ws(' ', pg_get_expr(p.polqual, p.polrelid), pg_get_expr(p.polwithcheck, p.polrelid))
       ~* '(user_metadata|raw_user_meta_data)'
   and n.nspname <> all($2)
   and n.nspname not like 'pg\_%'
   and not exists (select 1 from pg_depend d
                    where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype = 'e')
 order by 1
