-- postgis, where the server has no PostGIS (the real one is used when it is installed).
-- Emulated: `geometry` and `geography` stored as their text (WKT or EWKT: 'SRID=4326;POINT(1
-- 2)'), accepting type modifiers (`geography(Point,4326)`) without keeping or checking
-- them; the common constructors and accessors; distances between points (planar for
-- geometry, on a sphere in metres for geography); `&&` on bounding boxes; GeoJSON in and
-- out; spatial_ref_sys with SRIDs 4326 and 3857; GiST indexes that build but order nothing
-- (they hold the values with btree_gist's support functions, when the server has
-- btree_gist, and serve no operator). Coordinates are read from WKT, and from hex WKB or
-- EWKB points (as PostGIS prints them); other spatial predicates and measures exist and
-- return NULL.
create type @extschema@.geometry;
create function @extschema@.geometry_in(cstring, oid, integer) returns @extschema@.geometry language internal immutable strict parallel safe as 'textin';
create function @extschema@.geometry_out(@extschema@.geometry) returns cstring language internal immutable strict parallel safe as 'textout';
-- Type modifiers: any list is accepted (array_ndims gives 1); 1 prints as nothing.
create function @extschema@.postgis_typmod_in(cstring[]) returns integer language internal immutable strict parallel safe as 'array_ndims';
create function @extschema@.postgis_typmod_out(integer) returns cstring language internal immutable strict parallel safe as 'varchartypmodout';
create type @extschema@.geometry (
  input = @extschema@.geometry_in,
  output = @extschema@.geometry_out,
  typmod_in = @extschema@.postgis_typmod_in,
  typmod_out = @extschema@.postgis_typmod_out,
  internallength = variable,
  storage = main
);
create type @extschema@.geography;
create function @extschema@.geography_in(cstring, oid, integer) returns @extschema@.geography language internal immutable strict parallel safe as 'textin';
create function @extschema@.geography_out(@extschema@.geography) returns cstring language internal immutable strict parallel safe as 'textout';
create type @extschema@.geography (
  input = @extschema@.geography_in,
  output = @extschema@.geography_out,
  typmod_in = @extschema@.postgis_typmod_in,
  typmod_out = @extschema@.postgis_typmod_out,
  internallength = variable,
  storage = main
);
create cast (text as @extschema@.geometry) without function as implicit;
create cast (@extschema@.geometry as text) without function as implicit;
create cast (text as @extschema@.geography) without function as implicit;
create cast (@extschema@.geography as text) without function;
create cast (@extschema@.geometry as @extschema@.geography) without function as implicit;
create cast (@extschema@.geography as @extschema@.geometry) without function;

create table @extschema@.spatial_ref_sys (
  srid integer primary key check (srid > 0 and srid <= 998999),
  auth_name varchar(256),
  auth_srid integer,
  srtext varchar(2048),
  proj4text varchar(2048)
);
insert into @extschema@.spatial_ref_sys values
  (4326, 'EPSG', 4326, 'GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563]],PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]]', '+proj=longlat +datum=WGS84 +no_defs'),
  (3857, 'EPSG', 3857, 'PROJCS["WGS 84 / Pseudo-Mercator"]', '+proj=merc +a=6378137 +b=6378137 +lat_ts=0 +lon_0=0 +x_0=0 +y_0=0 +k=1 +units=m +nadgrids=@null +wktext +no_defs');
grant select on @extschema@.spatial_ref_sys to public;
create function @extschema@.postgis_version() returns text language sql immutable as $$ select '3.3 USE_GEOS=0 USE_PROJ=0 USE_STATS=0 (emulated by schemagate)'::text $$;
create function @extschema@.postgis_full_version() returns text language sql immutable as $$ select 'POSTGIS="3.3 emulated by schemagate"'::text $$;
create function @extschema@.postgis_lib_version() returns text language sql immutable as $$ select '3.3'::text $$;

-- Reading the text form.
create function @extschema@._st_wkt(text) returns text language sql immutable strict parallel safe as $$
  select regexp_replace($1, '^\s*SRID=\d+;', '', 'i')
$$;
-- Hex WKB and EWKB, as PostGIS prints geometries (and as dumps and seeds hold them): the
-- bytes of `hex` in big-endian order, and an IEEE 754 double from 16 hex digits.
create function @extschema@._st_hex_big_endian(hex text, little_endian boolean) returns text language sql immutable strict parallel safe as $$
  select case when little_endian then (select string_agg(substr(hex, i, 2), '' order by i desc) from generate_series(1, length(hex), 2) as i) else hex end
$$;
create function @extschema@._st_hex_float8(hex text, little_endian boolean) returns double precision language sql immutable strict parallel safe as $$
  select sign * case when e = 0 then m * 2::double precision ^ -1074 else (1 + m / 2::double precision ^ 52) * 2::double precision ^ (e - 1023) end
  from (select case when bits < 0 then -1 else 1 end as sign, (bits >> 52) & 2047 as e, bits & 4503599627370495 as m
        from (select ('x' || @extschema@._st_hex_big_endian(hex, little_endian))::bit(64)::bigint as bits) as raw) as parts
$$;
-- {x, y, srid} of a point in hex (E)WKB; NULL for anything else.
create function @extschema@._st_wkb_point(text) returns double precision[] language sql immutable strict parallel safe as $$
  select case when kind & 255 = 1 then array[
    @extschema@._st_hex_float8(substr(h, coordinates, 16), little),
    @extschema@._st_hex_float8(substr(h, coordinates + 16, 16), little),
    case when has_srid then ('x' || @extschema@._st_hex_big_endian(substr(h, 11, 8), little))::bit(32)::integer else 0 end]
  end
  from (select h, little, kind, kind & 536870912 <> 0 as has_srid, case when kind & 536870912 <> 0 then 19 else 11 end as coordinates
        from (select h, little, ('x' || @extschema@._st_hex_big_endian(substr(h, 3, 8), little))::bit(32)::bigint & 4294967295 as kind
              from (select lower(btrim($1)) as h, lower(btrim($1)) like '01%' as little) as input
              where btrim($1) ~* '^0[01][0-9a-f]{32,}$') as header) as parsed
$$;
create function @extschema@._st_point(text) returns double precision[] language sql immutable strict parallel safe as $$
  select coalesce((regexp_match(@extschema@._st_wkt($1), '^\s*POINT\s*Z?M?\s*\(\s*(\S+)\s+([^\s)]+)', 'i'))::double precision[],
                  (@extschema@._st_wkb_point($1))[1:2])
$$;
create function @extschema@._st_srid(text) returns integer language sql immutable strict parallel safe as $$
  select coalesce((regexp_match($1, '^\s*SRID=(\d+);', 'i'))[1]::integer, (@extschema@._st_wkb_point($1))[3]::integer, 0)
$$;
-- Every coordinate pair, for bounding boxes: {xmin, ymin, xmax, ymax}.
create function @extschema@._st_bbox(text) returns double precision[] language sql immutable strict parallel safe as $$
  select coalesce(
    (select array[min(p[1]), min(p[2]), max(p[1]), max(p[2])]
     from (select m::double precision[] as p
           from regexp_matches(@extschema@._st_wkt($1), '(-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s+(-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)', 'g') as m) as pairs
     having count(*) > 0),
    (select array[p[1], p[2], p[1], p[2]] from (select @extschema@._st_wkb_point($1) as p) as wkb))
$$;
create function @extschema@._st_with_srid(text, integer) returns text language sql immutable strict parallel safe as $$
  select case when $2 = 0 then @extschema@._st_wkt($1) else 'SRID=' || $2 || ';' || @extschema@._st_wkt($1) end
$$;

-- Constructors.
create function @extschema@.st_makepoint(double precision, double precision) returns @extschema@.geometry language sql immutable strict parallel safe as $$
  select format('POINT(%s %s)', $1, $2)::@extschema@.geometry
$$;
create function @extschema@.st_makepoint(double precision, double precision, double precision) returns @extschema@.geometry language sql immutable strict parallel safe as $$
  select format('POINT Z (%s %s %s)', $1, $2, $3)::@extschema@.geometry
$$;
create function @extschema@.st_point(double precision, double precision) returns @extschema@.geometry language sql immutable strict parallel safe as $$
  select @extschema@.st_makepoint($1, $2)
$$;
create function @extschema@.st_point(double precision, double precision, srid integer) returns @extschema@.geometry language sql immutable strict parallel safe as $$
  select @extschema@._st_with_srid(format('POINT(%s %s)', $1, $2), $3)::@extschema@.geometry
$$;
create function @extschema@.st_makeenvelope(double precision, double precision, double precision, double precision, integer default 0) returns @extschema@.geometry language sql immutable strict parallel safe as $$
  select @extschema@._st_with_srid(format('POLYGON((%1$s %2$s,%1$s %4$s,%3$s %4$s,%3$s %2$s,%1$s %2$s))', $1, $2, $3, $4), $5)::@extschema@.geometry
$$;
create function @extschema@.st_makebox2d(@extschema@.geometry, @extschema@.geometry) returns @extschema@.geometry language sql immutable strict parallel safe as $$
  select @extschema@.st_makeenvelope(least(a[1], b[1]), least(a[2], b[2]), greatest(a[3], b[3]), greatest(a[4], b[4]))
  from (select @extschema@._st_bbox($1::text) as a, @extschema@._st_bbox($2::text) as b) as boxes
$$;
create function @extschema@.st_setsrid(@extschema@.geometry, integer) returns @extschema@.geometry language sql immutable strict parallel safe as $$
  select @extschema@._st_with_srid($1::text, $2)::@extschema@.geometry
$$;
create function @extschema@.st_setsrid(@extschema@.geography, integer) returns @extschema@.geography language sql immutable strict parallel safe as $$
  select @extschema@._st_with_srid($1::text, $2)::@extschema@.geography
$$;
create function @extschema@.st_transform(@extschema@.geometry, integer) returns @extschema@.geometry language sql immutable strict parallel safe as $$
  select null::@extschema@.geometry
$$;
create function @extschema@.st_geomfromtext(text) returns @extschema@.geometry language sql immutable strict parallel safe as $$ select $1::@extschema@.geometry $$;
create function @extschema@.st_geomfromtext(text, integer) returns @extschema@.geometry language sql immutable strict parallel safe as $$
  select @extschema@._st_with_srid($1, $2)::@extschema@.geometry
$$;
create function @extschema@.st_geometryfromtext(text) returns @extschema@.geometry language sql immutable strict parallel safe as $$ select $1::@extschema@.geometry $$;
create function @extschema@.st_geometryfromtext(text, integer) returns @extschema@.geometry language sql immutable strict parallel safe as $$
  select @extschema@._st_with_srid($1, $2)::@extschema@.geometry
$$;
create function @extschema@.st_pointfromtext(text) returns @extschema@.geometry language sql immutable strict parallel safe as $$ select $1::@extschema@.geometry $$;
create function @extschema@.st_pointfromtext(text, integer) returns @extschema@.geometry language sql immutable strict parallel safe as $$
  select @extschema@._st_with_srid($1, $2)::@extschema@.geometry
$$;
create function @extschema@.st_geomfromewkt(text) returns @extschema@.geometry language sql immutable strict parallel safe as $$ select $1::@extschema@.geometry $$;
create function @extschema@.st_geogfromtext(text) returns @extschema@.geography language sql immutable strict parallel safe as $$ select $1::@extschema@.geography $$;
create function @extschema@.st_geographyfromtext(text) returns @extschema@.geography language sql immutable strict parallel safe as $$ select $1::@extschema@.geography $$;
-- GeoJSON positions [x, y] become "x y", arrays become parentheses.
create function @extschema@.st_geomfromgeojson(text) returns @extschema@.geometry language sql immutable strict parallel safe as $$
  select (upper(g ->> 'type') || case when g ->> 'type' = 'Point' then '(' || c || ')' else c end)::@extschema@.geometry
  from (select g, translate(regexp_replace((g -> 'coordinates')::text, '\[\s*([^][,\s]+)\s*,\s*([^][,\s]+)\s*(?:,\s*[^][,\s]+\s*)?\]', '\1 \2', 'g'), '[]', '()') as c
        from (select $1::jsonb as g) as parsed) as converted
$$;
create function @extschema@.st_geomfromgeojson(jsonb) returns @extschema@.geometry language sql immutable strict parallel safe as $$ select @extschema@.st_geomfromgeojson($1::text) $$;
create function @extschema@.st_geomfromgeojson(json) returns @extschema@.geometry language sql immutable strict parallel safe as $$ select @extschema@.st_geomfromgeojson($1::text) $$;

-- Accessors and output.
create function @extschema@.st_x(@extschema@.geometry) returns double precision language sql immutable strict parallel safe as $$ select (@extschema@._st_point($1::text))[1] $$;
create function @extschema@.st_y(@extschema@.geometry) returns double precision language sql immutable strict parallel safe as $$ select (@extschema@._st_point($1::text))[2] $$;
create function @extschema@.st_srid(@extschema@.geometry) returns integer language sql immutable strict parallel safe as $$ select @extschema@._st_srid($1::text) $$;
create function @extschema@.st_srid(@extschema@.geography) returns integer language sql immutable strict parallel safe as $$ select coalesce(nullif(@extschema@._st_srid($1::text), 0), 4326) $$;
create function @extschema@.st_astext(@extschema@.geometry) returns text language sql immutable strict parallel safe as $$ select @extschema@._st_wkt($1::text) $$;
create function @extschema@.st_astext(@extschema@.geography) returns text language sql immutable strict parallel safe as $$ select @extschema@._st_wkt($1::text) $$;
create function @extschema@.st_asewkt(@extschema@.geometry) returns text language sql immutable strict parallel safe as $$ select $1::text $$;
-- The mixed-case name of a WKT type (LINESTRING: LineString), as GeoJSON and ST_GeometryType write it.
create function @extschema@._st_type_name(text) returns text language sql immutable strict parallel safe as $$
  select coalesce((select n from unnest(array['Point', 'LineString', 'Polygon', 'MultiPoint', 'MultiLineString', 'MultiPolygon', 'GeometryCollection']) as n
                   where upper(n) = upper($1)), initcap($1))
$$;
create function @extschema@.st_geometrytype(@extschema@.geometry) returns text language sql immutable strict parallel safe as $$
  select 'ST_' || @extschema@._st_type_name((regexp_match(@extschema@._st_wkt($1::text), '^\s*([A-Za-z]+)'))[1])
$$;
create function @extschema@.st_asgeojson(@extschema@.geometry, maxdecimaldigits integer default 9, options integer default 8) returns text language sql immutable strict parallel safe as $$
  select format('{"type":"%s","coordinates":%s}',
    @extschema@._st_type_name(t), case when t = 'POINT' then substr(c, 2, length(c) - 2) else c end)
  from (select upper(m[1]) as t,
               translate(regexp_replace(m[2], '(-?[0-9.eE+-]+)\s+(-?[0-9.eE+-]+)(?:\s+-?[0-9.eE+-]+)?', '[\1,\2]', 'g'), '() ', '[]') as c
        from regexp_match(@extschema@._st_wkt($1::text), '^\s*([A-Za-z]+)\s*(?:Z|M|ZM)?\s*(\(.*\))\s*$', 'i') as m) as parsed
$$;
create function @extschema@.st_asgeojson(@extschema@.geography, maxdecimaldigits integer default 9, options integer default 0) returns text language sql immutable strict parallel safe as $$
  select @extschema@.st_asgeojson($1::@extschema@.geometry, $2, $3)
$$;

-- Measures and predicates. Distances are between points; anything else is NULL.
create function @extschema@.st_distance(@extschema@.geometry, @extschema@.geometry) returns double precision language sql immutable strict parallel safe as $$
  select sqrt((a[1] - b[1]) ^ 2 + (a[2] - b[2]) ^ 2) from (select @extschema@._st_point($1::text) as a, @extschema@._st_point($2::text) as b) as points
$$;
create function @extschema@.st_distance(@extschema@.geography, @extschema@.geography, use_spheroid boolean default true) returns double precision language sql immutable strict parallel safe as $$
  select 2 * 6371008.8 * asin(sqrt(sin(radians(b[2] - a[2]) / 2) ^ 2 + cos(radians(a[2])) * cos(radians(b[2])) * sin(radians(b[1] - a[1]) / 2) ^ 2))
  from (select @extschema@._st_point($1::text) as a, @extschema@._st_point($2::text) as b) as points
$$;
create function @extschema@.st_dwithin(@extschema@.geometry, @extschema@.geometry, double precision) returns boolean language sql immutable strict parallel safe as $$
  select @extschema@.st_distance($1, $2) <= $3
$$;
create function @extschema@.st_dwithin(@extschema@.geography, @extschema@.geography, double precision, use_spheroid boolean default true) returns boolean language sql immutable strict parallel safe as $$
  select @extschema@.st_distance($1, $2) <= $3
$$;
create function @extschema@.st_intersects(@extschema@.geometry, @extschema@.geometry) returns boolean language sql immutable strict parallel safe as $$ select null::boolean $$;
create function @extschema@.st_intersects(@extschema@.geography, @extschema@.geography) returns boolean language sql immutable strict parallel safe as $$ select null::boolean $$;
create function @extschema@.st_contains(@extschema@.geometry, @extschema@.geometry) returns boolean language sql immutable strict parallel safe as $$ select null::boolean $$;
create function @extschema@.st_within(@extschema@.geometry, @extschema@.geometry) returns boolean language sql immutable strict parallel safe as $$ select null::boolean $$;
create function @extschema@.st_covers(@extschema@.geography, @extschema@.geography) returns boolean language sql immutable strict parallel safe as $$ select null::boolean $$;
create function @extschema@.st_area(@extschema@.geometry) returns double precision language sql immutable strict parallel safe as $$ select null::double precision $$;
create function @extschema@.st_area(@extschema@.geography, use_spheroid boolean default true) returns double precision language sql immutable strict parallel safe as $$ select null::double precision $$;
create function @extschema@.st_length(@extschema@.geometry) returns double precision language sql immutable strict parallel safe as $$ select null::double precision $$;
create function @extschema@.st_buffer(@extschema@.geometry, double precision) returns @extschema@.geometry language sql immutable strict parallel safe as $$ select null::@extschema@.geometry $$;
create function @extschema@.st_buffer(@extschema@.geography, double precision) returns @extschema@.geography language sql immutable strict parallel safe as $$ select null::@extschema@.geography $$;
create function @extschema@.st_centroid(@extschema@.geometry) returns @extschema@.geometry language sql immutable strict parallel safe as $$ select null::@extschema@.geometry $$;

-- Operators: && compares bounding boxes, <-> is st_distance, = compares the stored text.
create function @extschema@._st_bbox_overlaps(@extschema@.geometry, @extschema@.geometry) returns boolean language sql immutable strict parallel safe as $$
  select a[1] <= b[3] and b[1] <= a[3] and a[2] <= b[4] and b[2] <= a[4]
  from (select @extschema@._st_bbox($1::text) as a, @extschema@._st_bbox($2::text) as b) as boxes
$$;
create function @extschema@._st_bbox_overlaps(@extschema@.geography, @extschema@.geography) returns boolean language sql immutable strict parallel safe as $$
  select @extschema@._st_bbox_overlaps($1::@extschema@.geometry, $2::@extschema@.geometry)
$$;
create operator @extschema@.&& (leftarg = @extschema@.geometry, rightarg = @extschema@.geometry, function = @extschema@._st_bbox_overlaps, commutator = operator(@extschema@.&&));
create operator @extschema@.&& (leftarg = @extschema@.geography, rightarg = @extschema@.geography, function = @extschema@._st_bbox_overlaps, commutator = operator(@extschema@.&&));
create function @extschema@._st_distance_operator(@extschema@.geography, @extschema@.geography) returns double precision language sql immutable strict parallel safe as $$
  select @extschema@.st_distance($1, $2)
$$;
create operator @extschema@.<-> (leftarg = @extschema@.geometry, rightarg = @extschema@.geometry, function = @extschema@.st_distance, commutator = operator(@extschema@.<->));
create operator @extschema@.<-> (leftarg = @extschema@.geography, rightarg = @extschema@.geography, function = @extschema@._st_distance_operator, commutator = operator(@extschema@.<->));
do $operators$
declare
  t text;
  op record;
begin
  foreach t in array array['geometry', 'geography'] loop
    for op in select * from (values ('lt', '<', 'bytealt', '>', '>='), ('le', '<=', 'byteale', '>=', '>'), ('eq', '=', 'byteaeq', '=', '<>'),
                                    ('ne', '<>', 'byteane', '<>', '='), ('ge', '>=', 'byteage', '<=', '<'), ('gt', '>', 'byteagt', '<', '<='))
                         as o(name, symbol, internal, commutator, negator) loop
      execute format('create function %1$I.%2$I(%1$I.%3$I, %1$I.%3$I) returns boolean language internal immutable strict parallel safe as %4$L',
        '@extschema@', t || '_' || op.name, t, op.internal);
      execute format('create operator %1$I.%2$s (leftarg = %1$I.%3$I, rightarg = %1$I.%3$I, function = %1$I.%4$I, commutator = operator(%1$I.%5$s), negator = operator(%1$I.%6$s))',
        '@extschema@', op.symbol, t, t || '_' || op.name, op.commutator, op.negator);
    end loop;
    execute format('create function %1$I.%2$I(%1$I.%3$I, %1$I.%3$I) returns integer language internal immutable strict parallel safe as %4$L',
      '@extschema@', t || '_cmp', t, 'byteacmp');
    execute format('create operator class %1$I.%2$I default for type %1$I.%3$I using btree as
      operator 1 %1$I.<, operator 2 %1$I.<=, operator 3 %1$I.=, operator 4 %1$I.>=, operator 5 %1$I.>, function 1 %1$I.%4$I(%1$I.%3$I, %1$I.%3$I)',
      '@extschema@', 'btree_' || t || '_ops', t, t || '_cmp');
  end loop;
end
$operators$;
-- GiST: btree_gist's support functions for bytea hold the values (the text form is a
-- varlena like bytea). No operator is in the classes, so no query uses these indexes
-- and none can give wrong answers. Skipped where the server lacks btree_gist.
do $gist$
declare
  t text;
begin
  foreach t in array array['geometry', 'geography'] loop
    execute format('create function %1$I.%2$I(internal, %1$I.%3$I, int2, oid, internal) returns boolean language c immutable strict as %4$L, %5$L',
      '@extschema@', '_' || t || '_gist_consistent', t, '$libdir/btree_gist', 'gbt_bytea_consistent');
  end loop;
  create function @extschema@._postgis_gist_union(internal, internal) returns bytea language c immutable strict as '$libdir/btree_gist', 'gbt_bytea_union';
  create function @extschema@._postgis_gist_compress(internal) returns internal language c immutable strict as '$libdir/btree_gist', 'gbt_bytea_compress';
  create function @extschema@._postgis_gist_decompress(internal) returns internal language c immutable strict as '$libdir/btree_gist', 'gbt_var_decompress';
  create function @extschema@._postgis_gist_penalty(internal, internal, internal) returns internal language c immutable strict as '$libdir/btree_gist', 'gbt_bytea_penalty';
  create function @extschema@._postgis_gist_picksplit(internal, internal) returns internal language c immutable strict as '$libdir/btree_gist', 'gbt_bytea_picksplit';
  create function @extschema@._postgis_gist_same(bytea, bytea, internal) returns internal language c immutable strict as '$libdir/btree_gist', 'gbt_bytea_same';
  foreach t in array array['geometry', 'geography'] loop
    execute format('create operator class %1$I.%2$I default for type %1$I.%3$I using gist as
      function 1 %1$I.%4$I(internal, %1$I.%3$I, int2, oid, internal), function 2 %1$I._postgis_gist_union(internal, internal),
      function 3 %1$I._postgis_gist_compress(internal), function 4 %1$I._postgis_gist_decompress(internal),
      function 5 %1$I._postgis_gist_penalty(internal, internal, internal), function 6 %1$I._postgis_gist_picksplit(internal, internal),
      function 7 %1$I._postgis_gist_same(bytea, bytea, internal), storage bytea',
      '@extschema@', case t when 'geometry' then 'gist_geometry_ops_2d' else 'gist_geography_ops' end, t, '_' || t || '_gist_consistent');
  end loop;
exception when undefined_file then
  raise notice 'schemagate''s postgis emulation has no GiST indexes here: the server lacks btree_gist (%)', sqlerrm;
end
$gist$;
create view @extschema@.geometry_columns as
  select current_database()::varchar(256) as f_table_catalog, n.nspname::varchar(256) as f_table_schema, c.relname::varchar(256) as f_table_name,
         a.attname::varchar(256) as f_geometry_column, 2 as coord_dimension, 0 as srid, 'GEOMETRY'::varchar(30) as type
  from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
  where a.atttypid = '@extschema@.geometry'::regtype and a.attnum > 0 and not a.attisdropped;
create view @extschema@.geography_columns as
  select current_database() as f_table_catalog, n.nspname as f_table_schema, c.relname as f_table_name,
         a.attname as f_geography_column, 2 as coord_dimension, 4326 as srid, 'Geometry'::text as type
  from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
  where a.atttypid = '@extschema@.geography'::regtype and a.attnum > 0 and not a.attisdropped;
grant select on @extschema@.geometry_columns, @extschema@.geography_columns to public;
