-- rum: GIN-like index method with ranking. Emulated: `rum` is PostgreSQL's GIN under rum's
-- name, with rum's operator classes for tsvector and arrays, so indexes build and serve
-- `@@`, `&&`, `@>`, `<@` and `=`; the distance operator `<=>` computes 1 / ts_rank but no
-- index orders by it, and rum's index options (`with (attach = …, to = …)`) are refused.
create access method rum type index handler pg_catalog.ginhandler;
create function @extschema@.rum_ts_distance(tsvector, tsquery) returns real language sql immutable strict parallel safe as $$
  select case when ts_rank($1, $2) = 0 then 'Infinity'::real else 1 / ts_rank($1, $2) end
$$;
create function @extschema@.rum_ts_score(tsvector, tsquery) returns real language sql immutable strict parallel safe as $$
  select ts_rank($1, $2)
$$;
create operator @extschema@.<=> (leftarg = tsvector, rightarg = tsquery, function = @extschema@.rum_ts_distance);
create operator class @extschema@.rum_tsvector_ops default for type tsvector using rum as
  operator 1 pg_catalog.@@ (tsvector, tsquery),
  function 1 pg_catalog.gin_cmp_tslexeme(text, text),
  function 2 pg_catalog.gin_extract_tsvector(tsvector, internal, internal),
  function 3 pg_catalog.gin_extract_tsquery(tsvector, internal, int2, internal, internal, internal, internal),
  function 4 pg_catalog.gin_tsquery_consistent(internal, int2, tsvector, int4, internal, internal, internal, internal),
  function 5 pg_catalog.gin_cmp_prefix(text, text, int2, internal),
  function 6 pg_catalog.gin_tsquery_triconsistent(internal, int2, tsvector, int4, internal, internal, internal),
  storage text;
create operator class @extschema@.rum_tsvector_hash_ops for type tsvector using rum as
  operator 1 pg_catalog.@@ (tsvector, tsquery),
  function 1 pg_catalog.gin_cmp_tslexeme(text, text),
  function 2 pg_catalog.gin_extract_tsvector(tsvector, internal, internal),
  function 3 pg_catalog.gin_extract_tsquery(tsvector, internal, int2, internal, internal, internal, internal),
  function 4 pg_catalog.gin_tsquery_consistent(internal, int2, tsvector, int4, internal, internal, internal, internal),
  function 5 pg_catalog.gin_cmp_prefix(text, text, int2, internal),
  function 6 pg_catalog.gin_tsquery_triconsistent(internal, int2, tsvector, int4, internal, internal, internal),
  storage text;
create operator class @extschema@.rum_anyarray_ops default for type anyarray using rum as
  operator 1 pg_catalog.&& (anyarray, anyarray),
  operator 2 pg_catalog.@> (anyarray, anyarray),
  operator 3 pg_catalog.<@ (anyarray, anyarray),
  operator 4 pg_catalog.= (anyarray, anyarray),
  function 2 pg_catalog.ginarrayextract(anyarray, internal, internal),
  function 3 pg_catalog.ginqueryarrayextract(anyarray, internal, int2, internal, internal, internal, internal),
  function 4 pg_catalog.ginarrayconsistent(internal, int2, anyarray, int4, internal, internal, internal, internal),
  function 6 pg_catalog.ginarraytriconsistent(internal, int2, anyarray, int4, internal, internal, internal),
  storage anyelement;
