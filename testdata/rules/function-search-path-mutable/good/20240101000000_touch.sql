create function public.touch() returns trigger language plpgsql
  set search_path = ''
as $$ begin new.updated_at = pg_catalog.now(); return new; end $$;

-- A SQL-standard body is bound when it is created.
create function public.add_one(x integer) returns integer
  language sql immutable
  return x + 1;

-- Not in an exposed schema.
create schema private;
create function private.helper() returns int language sql as $$ select 1 $$;
