-- Columns named like secrets (passwords, tokens, keys, card and social security numbers)
-- that the API roles can read without row level security in between: tables with RLS
-- off, views without security_invoker, materialized views, foreign tables.
-- $1 exposed schemas, $2 managed schemas, $3 API roles.
-- Columns: object (schema.table.column), detail (who can read it).
with api_roles as (
    select oid, rolname from pg_roles where rolname = any($3)
)
select n.nspname || '.' || c.relname || '.' || a.attname as object,
       coalesce(
           (select string_agg(r.rolname, ' and ' order by r.rolname)
              from api_roles r
             where has_schema_privilege(r.oid, n.oid, 'USAGE')
               and has_column_privilege(r.oid, c.oid, a.attnum, 'SELECT')),
           'any role granted access'
       ) as detail
  from pg_class c
  join pg_namespace n on n.oid = c.relnamespace
  join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
 where c.relkind in ('r', 'p', 'v', 'm', 'f')
   and a.attname ~* '^(.*_)?(password|passwd|password_hash|hashed_password|secret|secret_key|api_key|apikey|access_token|refresh_token|auth_token|session_token|reset_token|private_key|ssn|social_security_number|credit_card|credit_card_number|card_number|cvv|cvc|iban)$'
   and ((c.relkind in ('r', 'p') and not c.relrowsecurity)
        or c.relkind in ('m', 'f')
        or (c.relkind = 'v'
            and not exists (select 1 from unnest(c.reloptions) o
                             where o ~* '^security_invoker=(true|on|yes|1|t|y)$')))
   and n.nspname = any($1)
   and n.nspname <> all($2)
   and n.nspname not like 'pg\_%'
   and not exists (select 1 from pg_depend d
                    where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype = 'e')
   and exists (select 1 from api_roles r
                where has_schema_privilege(r.oid, n.oid, 'USAGE')
                  and has_column_privilege(r.oid, c.oid, a.attnum, 'SELECT'))
 order by 1
