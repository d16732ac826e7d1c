-- Columns (or arrays) of the reg* types that store object OIDs pg_upgrade cannot carry
-- over (all but regclass, regrole and regtype): a table with one blocks upgrading the
-- server to a new major version.
-- $1 exposed schemas (unused), $2 managed schemas.
-- Columns: object (schema.table.column), detail (the type).
select n.nspname || '.' || c.relname || '.' || a.attname as object,
       format_type(a.atttypid, a.atttypmod) as detail
  from pg_attribute a
  join pg_class c on c.oid = a.attrelid
  join pg_namespace n on n.oid = c.relnamespace
  join pg_type t on t.oid = a.atttypid
  join pg_type base on base.oid = case when t.typcategory = 'A' then t.typelem else t.oid end
 where a.attnum > 0
   and not a.attisdropped
   and c.relkind in ('r', 'p', 'm')
   and not c.relispartition
   and base.typnamespace = 'pg_catalog'::regnamespace
   and base.typname in ('regcollation', 'regconfig', 'regdictionary', 'regnamespace',
                        'regoper', 'regoperator', 'regproc', 'regprocedure')
   and n.nspname <> all($2)
   and n.nspname not like 'pg\_%'
   and not exists (select 1 from pg_depend d
                    where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype = 'e')
 order by 1
