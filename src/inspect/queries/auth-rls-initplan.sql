-- Policies that call auth.uid(), auth.jwt(), auth.role(), auth.email() or current_setting()
-- directly instead of through `(select …)`, so the call runs once per row instead of once
-- per statement. Reads the deparsed expressions; the caller sets search_path to pg_catalog
-- so that auth functions are always shown qualified.
-- $1 exposed schemas (unused), $2 managed schemas.
-- Columns: object (schema.table.policy), detail (the calls).
select n.nspname || '.' || c.relname || '.' || p.polname as object,
       calls.names as detail
  from pg_policy p
  join pg_class c on c.oid = p.polrelid
  join pg_namespace n on n.oid = c.relnamespace
 cross join lateral (
       select concat_ws(' ', pg_get_expr(p.polqual, p.polrelid),
                        pg_get_expr(p.polwithcheck, p.polrelid)) as text
       ) expr
 cross join lateral (
       select string_agg(distinct m[1] || ')', ', ') as names
         from regexp_matches(expr.text,
                             '(?<!SELECT )(auth\.(?:uid|jwt|role|email)\(|current_setting\()',
                             'g') as m
       ) calls
 where calls.names is not null
   and n.nspname <> all($2)
   and n.nspname not like 'pg\_%'
   and not exists (select 1 from pg_depend d
                    where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype = 'e')
 order by 1
