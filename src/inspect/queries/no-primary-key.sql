-- Tables without a primary key (partitions inherit their parent's and are skipped), in the
-- exposed schemas, or in every unmanaged schema when none is exposed.
-- $1 exposed schemas, $2 managed schemas. Columns: object, detail (none).
select n.nspname || '.' || c.relname as object,
       null::text as detail
  from pg_class c
  join pg_namespace n on n.oid = c.relnamespace
 where c.relkind in ('r', 'p')
   and not c.relispartition
   and (cardinality($1) = 0 or n.nspname = any($1))
   and n.nspname <> all($2)
   and n.nspname not like 'pg\_%'
   and not exists (select 1 from pg_constraint k where k.conrelid = c.oid and k.contype = 'p')
   and not exists (select 1 from pg_depend d
                    where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype = 'e')
 order by 1
