-- Foreign keys whose columns are not the leading columns of any valid, non-partial index on
-- the referencing table. The leading columns may come in any order: the lookups a foreign
-- key needs (on delete/update of the referenced row) are equality on all of them.
-- Only the top-level constraint of a partitioned table is reported, not its clones; of
-- several keys over the same columns only the first by name (one index serves them all).
-- $1 exposed schemas (unused), $2 managed schemas.
-- Columns: object (schema.table.col1,col2), detail (constraint and referenced table).
select distinct on (1) n.nspname || '.' || c.relname || '.' || cols.names as object,
       con.conname || ' references ' || con.confrelid::regclass::text as detail
  from pg_constraint con
  join pg_class c on c.oid = con.conrelid
  join pg_namespace n on n.oid = c.relnamespace
 cross join lateral (
       select string_agg(a.attname, ',' order by k.position) as names
         from unnest(con.conkey) with ordinality as k(attnum, position)
         join pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.attnum
       ) cols
 where con.contype = 'f'
   and con.conparentid = 0
   and n.nspname <> all($2)
   and n.nspname not like 'pg\_%'
   and not exists (select 1 from pg_depend d
                    where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype = 'e')
   and not exists (
       select 1
         from pg_index i
        where i.indrelid = con.conrelid
          and i.indisvalid
          and i.indpred is null
          and i.indnkeyatts >= cardinality(con.conkey)
          and (select array_agg(x order by x)
                 from unnest((string_to_array(i.indkey::text, ' ')::int2[])[1:cardinality(con.conkey)]) x)
            = (select array_agg(x order by x) from unnest(con.conkey) x)
   )
 order by 1, con.conname
