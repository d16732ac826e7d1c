-- pg_hashids: short ids from numbers. Emulated: the functions of pg_hashids 1.3 with a
-- reversible stand-in encoding (the numbers in base 36, joined by '-'), not the hashids
-- alphabet: ids round-trip through id_decode, but differ from the real extension's.
create function @extschema@.id_encode(numbers bigint[], salt text, min_length integer, alphabet text) returns text language sql immutable strict parallel safe as $$
  select lpad(s, greatest(min_length, length(s)), '0') from (select string_agg(
    (with recursive digits(rest, out) as (
       select abs(n), ''::text
       union all
       select rest / 36, substr('0123456789abcdefghijklmnopqrstuvwxyz', (rest % 36)::integer + 1, 1) || out from digits where rest > 0
     ) select coalesce(nullif(out, ''), '0') from digits where rest = 0),
    '-' order by ordinality) as s
  from unnest(numbers) with ordinality as t(n, ordinality)) as encoded
$$;
create function @extschema@.id_encode(numbers bigint[]) returns text language sql immutable strict parallel safe as $$ select @extschema@.id_encode($1, '', 0, '') $$;
create function @extschema@.id_encode(numbers bigint[], salt text) returns text language sql immutable strict parallel safe as $$ select @extschema@.id_encode($1, $2, 0, '') $$;
create function @extschema@.id_encode(numbers bigint[], salt text, min_length integer) returns text language sql immutable strict parallel safe as $$ select @extschema@.id_encode($1, $2, $3, '') $$;
create function @extschema@.id_encode(number bigint) returns text language sql immutable strict parallel safe as $$ select @extschema@.id_encode(array[$1], '', 0, '') $$;
create function @extschema@.id_encode(number bigint, salt text) returns text language sql immutable strict parallel safe as $$ select @extschema@.id_encode(array[$1], $2, 0, '') $$;
create function @extschema@.id_encode(number bigint, salt text, min_length integer) returns text language sql immutable strict parallel safe as $$ select @extschema@.id_encode(array[$1], $2, $3, '') $$;
create function @extschema@.id_encode(number bigint, salt text, min_length integer, alphabet text) returns text language sql immutable strict parallel safe as $$ select @extschema@.id_encode(array[$1], $2, $3, $4) $$;
create function @extschema@.id_decode(hash text, salt text, min_length integer, alphabet text) returns bigint[] language sql immutable strict parallel safe as $$
  select array_agg(
    (select sum((strpos('0123456789abcdefghijklmnopqrstuvwxyz', d) - 1)::bigint * 36::bigint ^ (length(part) - i))::bigint
     from unnest(string_to_array(part, null)) with ordinality as c(d, i))
    order by ordinality)
  from unnest(string_to_array(lower(hash), '-')) with ordinality as t(part, ordinality)
$$;
create function @extschema@.id_decode(hash text) returns bigint[] language sql immutable strict parallel safe as $$ select @extschema@.id_decode($1, '', 0, '') $$;
create function @extschema@.id_decode(hash text, salt text) returns bigint[] language sql immutable strict parallel safe as $$ select @extschema@.id_decode($1, $2, 0, '') $$;
create function @extschema@.id_decode(hash text, salt text, min_length integer) returns bigint[] language sql immutable strict parallel safe as $$ select @extschema@.id_decode($1, $2, $3, '') $$;
create function @extschema@.id_decode_once(hash text) returns bigint language sql immutable strict parallel safe as $$ select (@extschema@.id_decode($1, '', 0, ''))[1] $$;
create function @extschema@.id_decode_once(hash text, salt text) returns bigint language sql immutable strict parallel safe as $$ select (@extschema@.id_decode($1, $2, 0, ''))[1] $$;
create function @extschema@.id_decode_once(hash text, salt text, min_length integer) returns bigint language sql immutable strict parallel safe as $$ select (@extschema@.id_decode($1, $2, $3, ''))[1] $$;
create function @extschema@.id_decode_once(hash text, salt text, min_length integer, alphabet text) returns bigint language sql immutable strict parallel safe as $$ select (@extschema@.id_decode($1, $2, $3, $4))[1] $$;
