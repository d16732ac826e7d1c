-- (after _api-readable.sql) Views without security_invoker that the API roles can read:
-- they run with the view owner's rights, so row level security of the tables they read is
-- checked against the owner (usually bypassed), not the caller. Before PostgreSQL 15 every
-- view is like this.
-- Columns: object, detail (who can read it).
select object, detail
  from api_readable
 where relkind = 'v'
   and not exists (select 1 from unnest(reloptions) o
                    where o ~* '^security_invoker=(true|on|yes|1|t|y)$')
 order by 1
