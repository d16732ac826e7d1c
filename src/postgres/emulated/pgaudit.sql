-- pgaudit: audit logging, configured by settings (`alter role … set pgaudit.log = 'write'`).
-- Emulated: no event triggers and no logging; the creator may set pgaudit's settings on
-- roles and databases (PostgreSQL lets only a superuser set an unknown setting there),
-- as Supabase lets its `postgres` role (PostgreSQL 15 and newer, which can grant that).
do $grant$
begin
  if current_setting('server_version_num')::integer < 150000 then
    return;
  end if;
  execute format(
    'grant set on parameter pgaudit.log, pgaudit.log_catalog, pgaudit.log_client, pgaudit.log_level, pgaudit.log_parameter, pgaudit.log_parameter_max_size, pgaudit.log_relation, pgaudit.log_rows, pgaudit.log_statement, pgaudit.log_statement_once, pgaudit.role to %I with grant option',
    session_user);
end
$grant$;
