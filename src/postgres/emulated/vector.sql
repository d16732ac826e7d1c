-- vector (pgvector): vector similarity search. Emulated: `vector(n)` is a variable-length
-- type stored as its text form ('[1,2,3]'), the distance operators compute real distances
-- in SQL, and the hnsw and ivfflat index methods exist (backed by hash, so they accept
-- the opclasses but not their WITH options, and do not speed up nearest-neighbour search).
create type @extschema@.vector;
create function @extschema@.vector_in(cstring, oid, integer) returns @extschema@.vector language internal immutable strict parallel safe as 'textin';
create function @extschema@.vector_out(@extschema@.vector) returns cstring language internal immutable strict parallel safe as 'textout';
create function @extschema@.vector_typmod_in(cstring[]) returns integer language internal immutable strict parallel safe as 'varchartypmodin';
create function @extschema@.vector_typmod_out(integer) returns cstring language internal immutable strict parallel safe as 'varchartypmodout';
create type @extschema@.vector (
  input = @extschema@.vector_in,
  output = @extschema@.vector_out,
  typmod_in = @extschema@.vector_typmod_in,
  typmod_out = @extschema@.vector_typmod_out,
  internallength = variable,
  storage = extended
);
create cast (text as @extschema@.vector) without function as assignment;
create cast (@extschema@.vector as text) without function;
create function @extschema@.vector_to_float8(@extschema@.vector) returns double precision[] language sql immutable strict parallel safe as $$
  select string_to_array(btrim($1::text, '[] '), ',')::double precision[]
$$;
create function @extschema@.array_to_vector(real[], integer, boolean) returns @extschema@.vector language sql immutable strict parallel safe as $$
  select ('[' || array_to_string($1, ',') || ']')::text::@extschema@.vector
$$;
create function @extschema@.array_to_vector(double precision[], integer, boolean) returns @extschema@.vector language sql immutable strict parallel safe as $$
  select ('[' || array_to_string($1, ',') || ']')::text::@extschema@.vector
$$;
create function @extschema@.array_to_vector(integer[], integer, boolean) returns @extschema@.vector language sql immutable strict parallel safe as $$
  select ('[' || array_to_string($1, ',') || ']')::text::@extschema@.vector
$$;
create function @extschema@.vector_to_float4(@extschema@.vector, integer, boolean) returns real[] language sql immutable strict parallel safe as $$
  select @extschema@.vector_to_float8($1)::real[]
$$;
create cast (real[] as @extschema@.vector) with function @extschema@.array_to_vector(real[], integer, boolean) as assignment;
create cast (double precision[] as @extschema@.vector) with function @extschema@.array_to_vector(double precision[], integer, boolean) as assignment;
create cast (integer[] as @extschema@.vector) with function @extschema@.array_to_vector(integer[], integer, boolean) as assignment;
create cast (@extschema@.vector as real[]) with function @extschema@.vector_to_float4(@extschema@.vector, integer, boolean) as implicit;
create function @extschema@.vector_dims(@extschema@.vector) returns integer language sql immutable strict parallel safe as $$
  select cardinality(@extschema@.vector_to_float8($1))
$$;
create function @extschema@.inner_product(@extschema@.vector, @extschema@.vector) returns double precision language sql immutable strict parallel safe as $$
  select sum(a * b) from unnest(@extschema@.vector_to_float8($1), @extschema@.vector_to_float8($2)) as t(a, b)
$$;
create function @extschema@.vector_negative_inner_product(@extschema@.vector, @extschema@.vector) returns double precision language sql immutable strict parallel safe as $$
  select -@extschema@.inner_product($1, $2)
$$;
create function @extschema@.l2_distance(@extschema@.vector, @extschema@.vector) returns double precision language sql immutable strict parallel safe as $$
  select sqrt(sum((a - b) ^ 2)) from unnest(@extschema@.vector_to_float8($1), @extschema@.vector_to_float8($2)) as t(a, b)
$$;
create function @extschema@.l1_distance(@extschema@.vector, @extschema@.vector) returns double precision language sql immutable strict parallel safe as $$
  select sum(abs(a - b)) from unnest(@extschema@.vector_to_float8($1), @extschema@.vector_to_float8($2)) as t(a, b)
$$;
create function @extschema@.vector_norm(@extschema@.vector) returns double precision language sql immutable strict parallel safe as $$
  select sqrt(sum(a * a)) from unnest(@extschema@.vector_to_float8($1)) as t(a)
$$;
create function @extschema@.cosine_distance(@extschema@.vector, @extschema@.vector) returns double precision language sql immutable strict parallel safe as $$
  select 1 - @extschema@.inner_product($1, $2) / nullif(@extschema@.vector_norm($1) * @extschema@.vector_norm($2), 0)
$$;
create operator @extschema@.<-> (leftarg = @extschema@.vector, rightarg = @extschema@.vector, function = @extschema@.l2_distance, commutator = operator(@extschema@.<->));
create operator @extschema@.<#> (leftarg = @extschema@.vector, rightarg = @extschema@.vector, function = @extschema@.vector_negative_inner_product, commutator = operator(@extschema@.<#>));
create operator @extschema@.<=> (leftarg = @extschema@.vector, rightarg = @extschema@.vector, function = @extschema@.cosine_distance, commutator = operator(@extschema@.<=>));
create operator @extschema@.<+> (leftarg = @extschema@.vector, rightarg = @extschema@.vector, function = @extschema@.l1_distance, commutator = operator(@extschema@.<+>));
-- Comparison on the stored bytes, which is all an index needs to hold the values.
create function @extschema@.vector_lt(@extschema@.vector, @extschema@.vector) returns boolean language internal immutable strict parallel safe as 'bytealt';
create function @extschema@.vector_le(@extschema@.vector, @extschema@.vector) returns boolean language internal immutable strict parallel safe as 'byteale';
create function @extschema@.vector_eq(@extschema@.vector, @extschema@.vector) returns boolean language internal immutable strict parallel safe as 'byteaeq';
create function @extschema@.vector_ne(@extschema@.vector, @extschema@.vector) returns boolean language internal immutable strict parallel safe as 'byteane';
create function @extschema@.vector_ge(@extschema@.vector, @extschema@.vector) returns boolean language internal immutable strict parallel safe as 'byteage';
create function @extschema@.vector_gt(@extschema@.vector, @extschema@.vector) returns boolean language internal immutable strict parallel safe as 'byteagt';
create function @extschema@.vector_cmp(@extschema@.vector, @extschema@.vector) returns integer language internal immutable strict parallel safe as 'byteacmp';
create operator @extschema@.< (leftarg = @extschema@.vector, rightarg = @extschema@.vector, function = @extschema@.vector_lt, commutator = operator(@extschema@.>), negator = operator(@extschema@.>=));
create operator @extschema@.<= (leftarg = @extschema@.vector, rightarg = @extschema@.vector, function = @extschema@.vector_le, commutator = operator(@extschema@.>=), negator = operator(@extschema@.>));
create operator @extschema@.= (leftarg = @extschema@.vector, rightarg = @extschema@.vector, function = @extschema@.vector_eq, commutator = operator(@extschema@.=), negator = operator(@extschema@.<>));
create operator @extschema@.<> (leftarg = @extschema@.vector, rightarg = @extschema@.vector, function = @extschema@.vector_ne, commutator = operator(@extschema@.<>), negator = operator(@extschema@.=));
create operator @extschema@.>= (leftarg = @extschema@.vector, rightarg = @extschema@.vector, function = @extschema@.vector_ge, commutator = operator(@extschema@.<=), negator = operator(@extschema@.<));
create operator @extschema@.> (leftarg = @extschema@.vector, rightarg = @extschema@.vector, function = @extschema@.vector_gt, commutator = operator(@extschema@.<), negator = operator(@extschema@.<=));
create operator class @extschema@.vector_ops default for type @extschema@.vector using btree as
  operator 1 @extschema@.<, operator 2 @extschema@.<=, operator 3 @extschema@.=, operator 4 @extschema@.>=, operator 5 @extschema@.>,
  function 1 @extschema@.vector_cmp(@extschema@.vector, @extschema@.vector);
create function @extschema@.vector_hash(@extschema@.vector) returns integer language internal immutable strict parallel safe as 'hashvarlena';
-- hnsw and ivfflat: index methods that accept pgvector's operator classes. Backed by the
-- hash method (which holds any value and never orders), so they build but do not search.
create access method hnsw type index handler hashhandler;
create access method ivfflat type index handler hashhandler;
do $$
declare
  method text;
  opclass text;
begin
  foreach method in array array['hnsw', 'ivfflat'] loop
    foreach opclass in array array['vector_l2_ops', 'vector_ip_ops', 'vector_cosine_ops', 'vector_l1_ops'] loop
      execute format('create operator class %I.%I for type %I.vector using %I as operator 1 %s.=, function 1 %I.vector_hash(%I.vector)',
        '@extschema@', opclass, '@extschema@', method, '@extschema@', '@extschema@', '@extschema@');
    end loop;
  end loop;
end
$$;
