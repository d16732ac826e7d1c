-- pgtap: unit tests in SQL. Emulated: a subset of its assertions, which check what they
-- say and return TAP lines without test numbers ('ok - …', 'not ok - …'); plan() and
-- finish() keep no count.
create function @extschema@.plan(integer) returns text language sql as $$ select '1..' || $1 $$;
create function @extschema@.no_plan() returns setof boolean language sql as $$ select true where false $$;
create function @extschema@.finish(exception_on_failure boolean default null) returns setof text language sql as $$ select null::text where false $$;
create function @extschema@.diag(msg text) returns text language sql as $$ select '# ' || replace(msg, E'\n', E'\n# ') $$;
create function @extschema@.ok(boolean, text) returns text language sql as $$
  select case when $1 then 'ok' else 'not ok' end || coalesce(' - ' || nullif($2, ''), '')
$$;
create function @extschema@.ok(boolean) returns text language sql as $$ select @extschema@.ok($1, null) $$;
create function @extschema@.pass(text) returns text language sql as $$ select @extschema@.ok(true, $1) $$;
create function @extschema@.pass() returns text language sql as $$ select @extschema@.ok(true, null) $$;
create function @extschema@.fail(text) returns text language sql as $$ select @extschema@.ok(false, $1) $$;
create function @extschema@.fail() returns text language sql as $$ select @extschema@.ok(false, null) $$;
create function @extschema@.is(anyelement, anyelement, text) returns text language sql as $$ select @extschema@.ok($1 is not distinct from $2, $3) $$;
create function @extschema@.is(anyelement, anyelement) returns text language sql as $$ select @extschema@.ok($1 is not distinct from $2, null) $$;
create function @extschema@.isnt(anyelement, anyelement, text) returns text language sql as $$ select @extschema@.ok($1 is distinct from $2, $3) $$;
create function @extschema@.isnt(anyelement, anyelement) returns text language sql as $$ select @extschema@.ok($1 is distinct from $2, null) $$;
create function @extschema@.matches(anyelement, text, text) returns text language sql as $$ select @extschema@.ok($1::text ~ $2, $3) $$;
create function @extschema@.matches(anyelement, text) returns text language sql as $$ select @extschema@.ok($1::text ~ $2, null) $$;
create function @extschema@.cmp_ok(anyelement, text, anyelement, text) returns text language plpgsql as $$
declare
  result boolean;
begin
  execute format('select $1 %s $2', $2) into result using $1, $3;
  return @extschema@.ok(coalesce(result, false), $4);
end
$$;
create function @extschema@.cmp_ok(anyelement, text, anyelement) returns text language sql as $$ select @extschema@.cmp_ok($1, $2, $3, null) $$;
create function @extschema@.is_empty(text, text default null) returns text language plpgsql as $$
declare
  found_row boolean;
begin
  execute format('select exists (%s)', $1) into found_row;
  return @extschema@.ok(not found_row, $2);
end
$$;
create function @extschema@.isnt_empty(text, text default null) returns text language plpgsql as $$
declare
  found_row boolean;
begin
  execute format('select exists (%s)', $1) into found_row;
  return @extschema@.ok(found_row, $2);
end
$$;
create function @extschema@.results_eq(text, text, text default null) returns text language plpgsql as $$
declare
  same boolean;
begin
  execute format('select not exists ((%s) except all (%s)) and not exists ((%2$s) except all (%1$s))', $1, $2) into same;
  return @extschema@.ok(same, $3);
end
$$;
create function @extschema@.lives_ok(text, text default null) returns text language plpgsql as $$
begin
  execute $1;
  return @extschema@.ok(true, $2);
exception when others then
  return @extschema@.ok(false, $2) || E'\n# died: ' || sqlstate || ': ' || sqlerrm;
end
$$;
-- throws_ok(sql [, errcode [, errmsg [, description]]]) or throws_ok(sql, errmsg [,
-- description]): a five-character second argument is an error code, as in pgTAP.
create function @extschema@.throws_ok(text, text default null, text default null, text default null) returns text language plpgsql as $$
declare
  is_code boolean := length($2) = 5;
  code text := case when is_code then $2 end;
  message text := case when is_code then $3 else $2 end;
  description text := case when is_code then $4 else $3 end;
begin
  execute $1;
  return @extschema@.ok(false, description) || E'\n# no exception thrown';
exception when others then
  return @extschema@.ok((code is null or sqlstate = code) and (message is null or sqlerrm = message), description);
end
$$;
create function @extschema@._relation(name, name, "char"[]) returns boolean language sql stable as $$
  select exists (select from pg_class c join pg_namespace n on n.oid = c.relnamespace
                 where c.relname = $2 and c.relkind = any($3)
                   and (n.nspname = $1 or $1 is null and pg_table_is_visible(c.oid)))
$$;
create function @extschema@.has_table(name, name, text) returns text language sql as $$ select @extschema@.ok(@extschema@._relation($1, $2, '{r,p}'), $3) $$;
create function @extschema@.has_table(name, name) returns text language sql as $$ select @extschema@.has_table($1, $2, 'Table ' || quote_ident($1) || '.' || quote_ident($2) || ' should exist') $$;
create function @extschema@.has_table(name, text) returns text language sql as $$ select @extschema@.ok(@extschema@._relation(null, $1, '{r,p}'), $2) $$;
create function @extschema@.has_table(name) returns text language sql as $$ select @extschema@.has_table($1, 'Table ' || quote_ident($1) || ' should exist') $$;
create function @extschema@.hasnt_table(name, name, text) returns text language sql as $$ select @extschema@.ok(not @extschema@._relation($1, $2, '{r,p}'), $3) $$;
create function @extschema@.hasnt_table(name, text) returns text language sql as $$ select @extschema@.ok(not @extschema@._relation(null, $1, '{r,p}'), $2) $$;
create function @extschema@.hasnt_table(name) returns text language sql as $$ select @extschema@.hasnt_table($1, 'Table ' || quote_ident($1) || ' should not exist') $$;
create function @extschema@.has_view(name, name, text) returns text language sql as $$ select @extschema@.ok(@extschema@._relation($1, $2, '{v,m}'), $3) $$;
create function @extschema@.has_view(name, text) returns text language sql as $$ select @extschema@.ok(@extschema@._relation(null, $1, '{v,m}'), $2) $$;
create function @extschema@.has_view(name) returns text language sql as $$ select @extschema@.has_view($1, 'View ' || quote_ident($1) || ' should exist') $$;
create function @extschema@._column(name, name, name) returns boolean language sql stable as $$
  select exists (select from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
                 where c.relname = $2 and a.attname = $3 and a.attnum > 0 and not a.attisdropped
                   and (n.nspname = $1 or $1 is null and pg_table_is_visible(c.oid)))
$$;
create function @extschema@.has_column(name, name, name, text) returns text language sql as $$ select @extschema@.ok(@extschema@._column($1, $2, $3), $4) $$;
create function @extschema@.has_column(name, name, text) returns text language sql as $$ select @extschema@.ok(@extschema@._column(null, $1, $2), $3) $$;
create function @extschema@.has_column(name, name) returns text language sql as $$ select @extschema@.has_column($1, $2, 'Column ' || quote_ident($1) || '.' || quote_ident($2) || ' should exist') $$;
create function @extschema@.hasnt_column(name, name, name, text) returns text language sql as $$ select @extschema@.ok(not @extschema@._column($1, $2, $3), $4) $$;
create function @extschema@.hasnt_column(name, name, text) returns text language sql as $$ select @extschema@.ok(not @extschema@._column(null, $1, $2), $3) $$;
create function @extschema@.hasnt_column(name, name) returns text language sql as $$ select @extschema@.hasnt_column($1, $2, 'Column ' || quote_ident($1) || '.' || quote_ident($2) || ' should not exist') $$;
create function @extschema@.col_not_null(name, name, name, text) returns text language sql as $$
  select @extschema@.ok(exists (select from information_schema.columns where table_schema = $1 and table_name = $2 and column_name = $3 and is_nullable = 'NO'), $4)
$$;
create function @extschema@.col_not_null(name, name, text default null) returns text language sql as $$
  select @extschema@.ok(exists (select from information_schema.columns where table_name = $1 and column_name = $2 and is_nullable = 'NO'), $3)
$$;
create function @extschema@.col_type_is(name, name, name, text, text) returns text language sql as $$
  select @extschema@.ok(exists (select from pg_attribute a where a.attrelid = format('%I.%I', $1, $2)::regclass and a.attname = $3
                                  and format_type(a.atttypid, a.atttypmod) = $4), $5)
$$;
create function @extschema@.col_type_is(name, name, text, text default null) returns text language sql as $$
  select @extschema@.ok(exists (select from pg_attribute a where a.attrelid = quote_ident($1)::regclass and a.attname = $2
                                  and format_type(a.atttypid, a.atttypmod) = $3), $4)
$$;
create function @extschema@._primary_key(name, name) returns name[] language sql stable as $$
  select array_agg(a.attname order by k.ordinality)
  from pg_constraint con join pg_class c on c.oid = con.conrelid join pg_namespace n on n.oid = c.relnamespace
  cross join unnest(con.conkey) with ordinality as k(attnum, ordinality)
  join pg_attribute a on a.attrelid = c.oid and a.attnum = k.attnum
  where con.contype = 'p' and c.relname = $2 and (n.nspname = $1 or $1 is null and pg_table_is_visible(c.oid))
$$;
create function @extschema@.col_is_pk(name, name, name, text) returns text language sql as $$ select @extschema@.ok(@extschema@._primary_key($1, $2) = array[$3], $4) $$;
create function @extschema@.col_is_pk(name, name, text) returns text language sql as $$ select @extschema@.ok(@extschema@._primary_key(null, $1) = array[$2], $3) $$;
create function @extschema@.col_is_pk(name, name) returns text language sql as $$ select @extschema@.col_is_pk($1, $2, 'Column ' || quote_ident($1) || '(' || quote_ident($2) || ') should be a primary key') $$;
create function @extschema@.has_pk(name, name, text) returns text language sql as $$ select @extschema@.ok(@extschema@._primary_key($1, $2) is not null, $3) $$;
create function @extschema@.has_pk(name, text) returns text language sql as $$ select @extschema@.ok(@extschema@._primary_key(null, $1) is not null, $2) $$;
create function @extschema@.has_pk(name) returns text language sql as $$ select @extschema@.has_pk($1, 'Table ' || quote_ident($1) || ' should have a primary key') $$;
create function @extschema@.has_schema(name, text) returns text language sql as $$ select @extschema@.ok(exists (select from pg_namespace where nspname = $1), $2) $$;
create function @extschema@.has_schema(name) returns text language sql as $$ select @extschema@.has_schema($1, 'Schema ' || quote_ident($1) || ' should exist') $$;
create function @extschema@.has_extension(name, text) returns text language sql as $$ select @extschema@.ok(exists (select from pg_extension where extname = $1), $2) $$;
create function @extschema@.has_extension(name) returns text language sql as $$ select @extschema@.has_extension($1, 'Extension ' || quote_ident($1) || ' should exist') $$;
create function @extschema@.has_role(name, text) returns text language sql as $$ select @extschema@.ok(exists (select from pg_roles where rolname = $1), $2) $$;
create function @extschema@.has_role(name) returns text language sql as $$ select @extschema@.has_role($1, 'Role ' || quote_ident($1) || ' should exist') $$;
create function @extschema@._function(name, name) returns boolean language sql stable as $$
  select exists (select from pg_proc p join pg_namespace n on n.oid = p.pronamespace
                 where p.proname = $2 and (n.nspname = $1 or $1 is null and pg_function_is_visible(p.oid)))
$$;
create function @extschema@.has_function(name, name, text) returns text language sql as $$ select @extschema@.ok(@extschema@._function($1, $2), $3) $$;
create function @extschema@.has_function(name, text) returns text language sql as $$ select @extschema@.ok(@extschema@._function(null, $1), $2) $$;
create function @extschema@.has_function(name) returns text language sql as $$ select @extschema@.has_function($1, 'Function ' || quote_ident($1) || '() should exist') $$;
create function @extschema@.hasnt_function(name, name, text) returns text language sql as $$ select @extschema@.ok(not @extschema@._function($1, $2), $3) $$;
create function @extschema@.hasnt_function(name, text) returns text language sql as $$ select @extschema@.ok(not @extschema@._function(null, $1), $2) $$;
create function @extschema@.hasnt_function(name) returns text language sql as $$ select @extschema@.hasnt_function($1, 'Function ' || quote_ident($1) || '() should not exist') $$;
create function @extschema@.has_index(name, name, name, text) returns text language sql as $$
  select @extschema@.ok(exists (select from pg_indexes where schemaname = $1 and tablename = $2 and indexname = $3), $4)
$$;
create function @extschema@.has_index(name, name, text default null) returns text language sql as $$
  select @extschema@.ok(exists (select from pg_indexes where tablename = $1 and indexname = $2), $3)
$$;
create function @extschema@.has_trigger(name, name, name, text) returns text language sql as $$
  select @extschema@.ok(exists (select from pg_trigger t join pg_class c on c.oid = t.tgrelid join pg_namespace n on n.oid = c.relnamespace
                                  where n.nspname = $1 and c.relname = $2 and t.tgname = $3), $4)
$$;
create function @extschema@.has_trigger(name, name, text default null) returns text language sql as $$
  select @extschema@.ok(exists (select from pg_trigger t join pg_class c on c.oid = t.tgrelid where c.relname = $1 and t.tgname = $2), $3)
$$;
create function @extschema@.tables_are(name, name[], text default null) returns text language sql as $$
  select @extschema@.ok(coalesce((select array_agg(tablename::name order by tablename) from pg_tables where schemaname = $1), '{}')
                        = (select array_agg(t order by t) from unnest($2) as t), $3)
$$;
create function @extschema@.policies_are(name, name, name[], text default null) returns text language sql as $$
  select @extschema@.ok(coalesce((select array_agg(policyname order by policyname) from pg_policies where schemaname = $1 and tablename = $2), '{}')
                        = (select array_agg(p order by p) from unnest($3) as p), $4)
$$;
create function @extschema@.policies_are(name, name[], text default null) returns text language sql as $$
  select @extschema@.ok(coalesce((select array_agg(policyname order by policyname) from pg_policies where tablename = $1), '{}')
                        = (select array_agg(p order by p) from unnest($2) as p), $3)
$$;
