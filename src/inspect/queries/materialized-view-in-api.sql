-- (after _api-readable.sql) Materialized views the API roles can read: a materialized view
-- has no row level security, so every row is readable.
-- Columns: object, detail (who can read it).
select object, detail
  from api_readable
 where relkind = 'm'
 order by 1
