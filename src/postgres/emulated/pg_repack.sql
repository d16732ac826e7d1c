-- pg_repack: online table reorganisation, driven by its client program. Emulated: the
-- `repack` schema and its version functions; nothing is ever reorganised.
create schema repack;
create function repack.version() returns text language sql immutable strict as $$ select 'pg_repack 1.5.0 (emulated by schemagate)'::text $$;
create function repack.version_sql() returns text language sql immutable strict as $$ select 'pg_repack 1.5.0 (emulated by schemagate)'::text $$;
create function repack.oid2text(oid) returns text language sql stable strict as $$ select textin(regclassout($1)) $$;
create function repack.get_index_columns(oid, text) returns text language sql stable strict as $$ select null::text $$;
create function repack.repack_trigger() returns trigger language plpgsql as $$ begin return null; end $$;
create view repack.tables as
  select null::regclass as relid, null::text as relname, null::oid as reltoastrelid, null::oid as reltoastidxid,
         null::text as schemaname, null::text as pkid, null::text as ckid
  where false;
