-- Foreign keys from the application's tables to a unique constraint of an auth table other
-- than its primary key (auth.users(email), auth.users(phone)…): Supabase may change those
-- constraints in its own auth migrations, and the foreign key then blocks the upgrade.
-- $1 exposed schemas (unused), $2 managed schemas.
-- Columns: object (schema.table.col1,col2), detail (constraint, target and its index).
select n.nspname || '.' || c.relname || '.' || cols.names as object,
       con.conname || ' references ' || con.confrelid::regclass::text
           || ' through ' || ri.indexrelid::regclass::text as detail
  from pg_constraint con
  join pg_class c on c.oid = con.conrelid
  join pg_namespace n on n.oid = c.relnamespace
  join pg_class rc on rc.oid = con.confrelid
  join pg_namespace rn on rn.oid = rc.relnamespace
  join pg_index ri on ri.indexrelid = con.conindid
 cross join lateral (
       select string_agg(a.attname, ',' order by k.position) as names
         from unnest(con.conkey) with ordinality as k(attnum, position)
         join pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.attnum
       ) cols
 where con.contype = 'f'
   and con.conparentid = 0
   and rn.nspname = 'auth'
   and not ri.indisprimary
   and n.nspname <> all($2)
   and n.nspname not like 'pg\_%'
   and not exists (select 1 from pg_depend d
                    where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype = 'e')
 order by 1
