-- Permissive INSERT, UPDATE, DELETE or ALL policies whose USING or WITH CHECK is always
-- true (the constant true, or a constant compared with itself: `1 = 1`, `'a' = 'a'`), for
-- PUBLIC or the Supabase API roles: anyone who reaches the table may write any row.
-- $1 exposed schemas (unused), $2 managed schemas.
-- Columns: object (schema.table.policy), detail (the command).
select n.nspname || '.' || c.relname || '.' || p.polname as object,
       case p.polcmd when 'a' then 'INSERT' when 'w' then 'UPDATE'
                     when 'd' then 'DELETE' else 'ALL' end as detail
  from pg_policy p
  join pg_class c on c.oid = p.polrelid
  join pg_namespace n on n.oid = c.relnamespace
 where p.polpermissive
   and exists (
       -- USING restricts UPDATE, DELETE and ALL; WITH CHECK restricts INSERT, UPDATE, ALL.
       select 1
         from (values ('{w,d,*}', pg_get_expr(p.polqual, p.polrelid), p.polqual::text),
                      ('{a,w,*}', pg_get_expr(p.polwithcheck, p.polrelid), p.polwithcheck::text))
              as clause (commands, text, tree)
        where p.polcmd::text = any(clause.commands::text[])
          and (clause.text = 'true'
               -- No column, parameter, function or subquery: constants compared, written
               -- `(<constant> = <the same constant>)` once deparsed.
               or (clause.tree !~ '\{(VAR|PARAM|FUNCEXPR|SUBLINK|AGGREF|WINDOWFUNC) '
                   and clause.text ~ '^\((.+) = \1\)$')))
   and (0 = any(p.polroles)
        or exists (select 1 from pg_roles r
                    where r.oid = any(p.polroles) and r.rolname in ('anon', 'authenticated')))
   and n.nspname <> all($2)
   and n.nspname not like 'pg\_%'
   and not exists (select 1 from pg_depend d
                    where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype = 'e')
 order by 1
