-- plpgsql_check: static checks of PL/pgSQL. Emulated: it reports nothing.
create function @extschema@.plpgsql_check_function(funcoid regprocedure, relid regclass default 0, format text default 'text', fatal_errors boolean default true, other_warnings boolean default true, performance_warnings boolean default false, extra_warnings boolean default true, security_warnings boolean default false)
returns setof text language sql as $$ select null::text where false $$;
create function @extschema@.plpgsql_check_function_tb(funcoid regprocedure, relid regclass default 0, fatal_errors boolean default true, other_warnings boolean default true, performance_warnings boolean default false, extra_warnings boolean default true, security_warnings boolean default false)
returns table (functionid regproc, lineno integer, statement text, sqlstate text, message text, detail text, hint text, level text, "position" integer, query text, context text)
language sql as $$ select null::regproc, null::integer, null::text, null::text, null::text, null::text, null::text, null::text, null::integer, null::text, null::text where false $$;
