-- Indexes identical to another index of the same table: same access method, key and
-- included columns, operator classes, collations, options, expressions and predicate.
-- Of each group the index backing the primary key, else a constraint, else a unique one,
-- else the oldest is kept; the others are reported.
-- $1 exposed schemas (unused), $2 managed schemas.
-- Columns: object (schema.table.index), detail (the index it duplicates).
with keyed as (
    select i.indexrelid,
           i.indrelid,
           ic.relname as index_name,
           ic.relam,
           i.indnkeyatts,
           i.indkey::text as key_columns,
           i.indclass::text as opclasses,
           i.indcollation::text as collations,
           i.indoption::text as options,
           coalesce(pg_get_expr(i.indexprs, i.indrelid), '') as expressions,
           coalesce(pg_get_expr(i.indpred, i.indrelid), '') as predicate,
           i.indisprimary,
           i.indisunique,
           exists (select 1 from pg_constraint k
                    where k.conindid = i.indexrelid and k.conrelid = i.indrelid
                      and k.contype in ('p', 'u', 'x')) as backs_constraint
      from pg_index i
      join pg_class ic on ic.oid = i.indexrelid
), ranked as (
    select keyed.*,
           first_value(index_name) over w as kept,
           row_number() over w as rank
      from keyed
    window w as (partition by indrelid, relam, indnkeyatts, key_columns, opclasses, collations,
                              options, expressions, predicate
                 order by indisprimary desc, backs_constraint desc, indisunique desc, indexrelid)
)
select n.nspname || '.' || c.relname || '.' || r.index_name as object,
       r.kept as detail
  from ranked r
  join pg_class c on c.oid = r.indrelid
  join pg_namespace n on n.oid = c.relnamespace
 where r.rank > 1
   and n.nspname <> all($2)
   and n.nspname not like 'pg\_%'
   and not exists (select 1 from pg_depend d
                    where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype = 'e')
 order by 1
