-- pgroonga: full text search for all languages. Emulated: the helper functions, the search
-- operators (`&@` and `&@~` by PostgreSQL's own matching, `&@~` as a web search query), and
-- the `pgroonga` index method with its operator classes for text, varchar, text[] and
-- jsonb. The method is PostgreSQL's hash under pgroonga's name: indexes build on one
-- column each and serve only `=`, and pgroonga's index options (`with (tokenizer = …)`)
-- are refused.
create function @extschema@.pgroonga_command(groonga_command text) returns text language sql as $$ select '[]'::text $$;
create function @extschema@.pgroonga_command(groonga_command text, arguments text[]) returns text language sql as $$ select '[]'::text $$;
create function @extschema@.pgroonga_score(tableoid oid, ctid tid) returns double precision language sql as $$ select 0::double precision $$;
create function @extschema@.pgroonga_snippet_html(target text, keywords text[], width integer default 200) returns text[] language sql immutable as $$ select array[left(target, width)] $$;
create function @extschema@.pgroonga_highlight_html(target text, keywords text[]) returns text language sql immutable as $$ select target $$;
create function @extschema@.pgroonga_query_extract_keywords(query text) returns text[] language sql immutable as $$ select regexp_split_to_array(btrim(query), '\s+') $$;
create function @extschema@.pgroonga_query_escape(query text) returns text language sql immutable as $$ select query $$;
create function @extschema@.pgroonga_normalize(target text) returns text language sql immutable as $$ select lower(target) $$;
create function @extschema@.pgroonga_match_text(target text, term text) returns boolean language sql immutable strict parallel safe as $$
  select strpos(lower(target), lower(term)) > 0
$$;
create function @extschema@.pgroonga_query_text(target text, query text) returns boolean language sql immutable strict parallel safe as $$
  select to_tsvector('simple', target) @@ websearch_to_tsquery('simple', query)
$$;
create function @extschema@.pgroonga_match_text_array(targets text[], term text) returns boolean language sql immutable strict parallel safe as $$
  select exists (select from unnest(targets) as t(target) where @extschema@.pgroonga_match_text(target, term))
$$;
create function @extschema@.pgroonga_query_text_array(targets text[], query text) returns boolean language sql immutable strict parallel safe as $$
  select exists (select from unnest(targets) as t(target) where @extschema@.pgroonga_query_text(target, query))
$$;
create operator @extschema@.&@ (leftarg = text, rightarg = text, function = @extschema@.pgroonga_match_text);
create operator @extschema@.&@~ (leftarg = text, rightarg = text, function = @extschema@.pgroonga_query_text);
create operator @extschema@.&@ (leftarg = text[], rightarg = text, function = @extschema@.pgroonga_match_text_array);
create operator @extschema@.&@~ (leftarg = text[], rightarg = text, function = @extschema@.pgroonga_query_text_array);
create access method pgroonga type index handler pg_catalog.hashhandler;
create operator class @extschema@.pgroonga_text_full_text_search_ops_v2 default for type text using pgroonga as
  operator 1 pg_catalog.= (text, text), function 1 pg_catalog.hashtext(text);
create operator class @extschema@.pgroonga_text_term_search_ops_v2 for type text using pgroonga as
  operator 1 pg_catalog.= (text, text), function 1 pg_catalog.hashtext(text);
create operator class @extschema@.pgroonga_text_regexp_ops_v2 for type text using pgroonga as
  operator 1 pg_catalog.= (text, text), function 1 pg_catalog.hashtext(text);
create operator class @extschema@.pgroonga_varchar_full_text_search_ops_v2 for type varchar using pgroonga as
  operator 1 pg_catalog.= (text, text), function 1 pg_catalog.hashtext(text);
create operator class @extschema@.pgroonga_varchar_term_search_ops_v2 default for type varchar using pgroonga as
  operator 1 pg_catalog.= (text, text), function 1 pg_catalog.hashtext(text);
create operator class @extschema@.pgroonga_text_array_full_text_search_ops_v2 default for type text[] using pgroonga as
  operator 1 pg_catalog.= (anyarray, anyarray), function 1 (text[], text[]) pg_catalog.hash_array(anyarray);
create operator class @extschema@.pgroonga_jsonb_ops_v2 default for type jsonb using pgroonga as
  operator 1 pg_catalog.= (jsonb, jsonb), function 1 pg_catalog.jsonb_hash(jsonb);
