-- (after _api-readable.sql) Foreign tables the API roles can read: a foreign table has no
-- row level security, so every remote row is readable.
-- Columns: object, detail (who can read it).
select object, detail
  from api_readable
 where relkind = 'f'
 order by 1
