-- pgroonga: full text search for all languages. Emulated: the helper functions only.
create function @extschema@.pgroonga_command(groonga_command text) returns text language sql as $$ select '[]'::text $$;
create function @extschema@.pgroonga_score(tableoid oid, ctid tid) returns double precision language sql as $$ select 0::double precision $$;
