-- hypopg: hypothetical indexes. Emulated: none is ever created.
create function @extschema@.hypopg_create_index(sql_order text, out indexrelid oid, out indexname text) returns setof record language sql as $$ select null::oid, null::text where false $$;
create function @extschema@.hypopg_drop_index(indexid oid) returns boolean language sql as $$ select false $$;
create function @extschema@.hypopg_reset() returns void language sql as $$ select $$;
create function @extschema@.hypopg_reset_index() returns void language sql as $$ select $$;
create function @extschema@.hypopg_relation_size(indexid oid) returns bigint language sql as $$ select 0::bigint $$;
create function @extschema@.hypopg_get_indexdef(indexid oid) returns text language sql as $$ select null::text $$;
create function @extschema@.hypopg(out indexname text, out indexrelid oid, out indrelid oid, out innatts integer, out indisunique boolean, out indkey int2vector, out indcollation oidvector, out indclass oidvector, out indoption oidvector, out indexprs pg_node_tree, out indpred pg_node_tree, out amid oid)
returns setof record language sql as $$ select null::text, null::oid, null::oid, null::integer, null::boolean, null::int2vector, null::oidvector, null::oidvector, null::oidvector, null::pg_node_tree, null::pg_node_tree, null::oid where false $$;
create view @extschema@.hypopg_list_indexes as select indexrelid, indexname, null::name as schema_name, null::name as table_name, null::name as am_name from @extschema@.hypopg();
