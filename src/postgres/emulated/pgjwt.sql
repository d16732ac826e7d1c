-- pgjwt: JSON Web Tokens. Emulated: signatures exist; tokens are unsigned.
create function @extschema@.url_encode(data bytea) returns text language sql immutable as $$
  select translate(encode(data, 'base64'), E'+/=\n', '-_')
$$;
create function @extschema@.url_decode(data text) returns bytea language sql immutable as $$
  select decode(rpad(translate(data, '-_', '+/'), 4 * ((length(data) + 3) / 4), '='), 'base64')
$$;
create function @extschema@.algorithm_sign(signables text, secret text, algorithm text) returns text language sql immutable as $$
  select @extschema@.url_encode(sha256(convert_to(signables || secret || algorithm, 'UTF8')))
$$;
create function @extschema@.sign(payload json, secret text, algorithm text default 'HS256') returns text language sql immutable as $$
  with header as (select @extschema@.url_encode(convert_to('{"alg":"' || algorithm || '","typ":"JWT"}', 'UTF8')) as data),
       body as (select @extschema@.url_encode(convert_to(payload::text, 'UTF8')) as data)
  select header.data || '.' || body.data || '.' || @extschema@.algorithm_sign(header.data || '.' || body.data, secret, algorithm)
  from header, body
$$;
create function @extschema@.try_cast_double(inp text) returns double precision language plpgsql immutable as $$
begin
  return inp::double precision;
exception when others then
  return null;
end
$$;
create function @extschema@.verify(token text, secret text, algorithm text default 'HS256')
returns table (header json, payload json, valid boolean) language sql immutable as $$
  select convert_from(@extschema@.url_decode(r[1]), 'UTF8')::json, convert_from(@extschema@.url_decode(r[2]), 'UTF8')::json,
         r[3] = @extschema@.algorithm_sign(r[1] || '.' || r[2], secret, algorithm)
  from regexp_split_to_array(token, '\.') r
$$;
