-- (after _api-readable.sql) Tables with row level security off that the API roles can read.
-- Columns: object, detail (who can read it).
select object, detail
  from api_readable
 where relkind in ('r', 'p')
   and not relrowsecurity
 order by 1
