-- timescaledb: time-series tables. Emulated: a hypertable stays a plain table; the creating
-- functions check what TimescaleDB checks (the column, unique indexes holding it, no rows
-- without migrate_data), set the time column NOT NULL and make the default time index as
-- TimescaleDB does, and record the table in timescaledb_information.hypertables. Policies
-- are recorded as jobs that never run; time_bucket and the first/last aggregates compute
-- real results. Not emulated (PostgreSQL refuses them without the real extension):
-- `timescaledb.*` table options (compression, `with (timescaledb.continuous)` views).
create schema _timescaledb_catalog;
create schema timescaledb_information;
create table _timescaledb_catalog.hypertable (
  id serial primary key,
  relid regclass not null unique,
  time_column name not null,
  chunk_time_interval text
);
create table _timescaledb_catalog.bgw_job (
  id serial primary key,
  proc_name name not null,
  hypertable regclass,
  config jsonb,
  schedule_interval interval
);
create type @extschema@.dimension_info as (column_name name, partition_interval text, number_partitions integer);
create function @extschema@.by_range(column_name name, partition_interval anyelement default null::bigint, partition_func regproc default null)
returns @extschema@.dimension_info language sql immutable as $$ select row($1, $2::text, null)::@extschema@.dimension_info $$;
create function @extschema@.by_hash(column_name name, number_partitions integer, partition_func regproc default null)
returns @extschema@.dimension_info language sql immutable as $$ select row($1, null, $2)::@extschema@.dimension_info $$;
create function _timescaledb_catalog.make_hypertable(relation regclass, time_column name, chunk_interval text, create_default_indexes boolean, if_not_exists boolean, migrate_data boolean)
returns table (hypertable_id integer, created boolean) language plpgsql as $$
declare
  existing integer;
  has_rows boolean;
begin
  select id into existing from _timescaledb_catalog.hypertable where relid = relation;
  if existing is not null then
    if if_not_exists then
      raise notice 'table "%" is already a hypertable, skipping', relation;
      return query select existing, false;
      return;
    end if;
    raise exception 'table "%" is already a hypertable', relation using errcode = 'TS110';
  end if;
  if not exists (select from pg_attribute where attrelid = relation and attname = time_column and attnum > 0 and not attisdropped) then
    raise exception 'column "%" does not exist', time_column using errcode = '42703';
  end if;
  -- TimescaleDB's own refusals: a unique index must hold the time column, and rows need migrate_data.
  if exists (select from pg_index i where i.indrelid = relation and i.indisunique
             and not exists (select from pg_attribute a where a.attrelid = relation and a.attname = time_column and a.attnum = any(i.indkey))) then
    raise exception 'cannot create a unique index without the column "%" (used in partitioning)', time_column
      using errcode = 'TS103', hint = 'If you''re creating a hypertable on a table with a primary key, ensure the partitioning column is part of the primary or composite key.';
  end if;
  if not migrate_data then
    execute format('select exists (select from %s)', relation) into has_rows;
    if has_rows then
      raise exception 'table "%" is not empty', relation
        using errcode = 'TS102', hint = 'You can migrate data by specifying migrate_data => true when calling this function.';
    end if;
  end if;
  execute format('alter table %s alter column %I set not null', relation, time_column);
  if create_default_indexes then
    execute format('create index if not exists %I on %s (%I desc)',
      left((select relname from pg_class where oid = relation), 63 - length(time_column) - 5) || '_' || time_column || '_idx', relation, time_column);
  end if;
  insert into _timescaledb_catalog.hypertable (relid, time_column, chunk_time_interval)
  values (relation, time_column, coalesce(chunk_interval, '7 days')) returning id into existing;
  return query select existing, true;
end
$$;
-- The generalised form of TimescaleDB 2.13+: create_hypertable('t', by_range('time')).
create function @extschema@.create_hypertable(relation regclass, dimension @extschema@.dimension_info, create_default_indexes boolean default true,
  if_not_exists boolean default false, migrate_data boolean default false)
returns table (hypertable_id integer, created boolean) language sql as $$
  select * from _timescaledb_catalog.make_hypertable(relation, (dimension).column_name, (dimension).partition_interval, create_default_indexes, if_not_exists, migrate_data)
$$;
create function @extschema@.create_hypertable(relation regclass, time_column_name name, partitioning_column name default null,
  number_partitions integer default null, associated_schema_name name default null, associated_table_prefix name default null,
  chunk_time_interval anyelement default null::bigint, create_default_indexes boolean default true, if_not_exists boolean default false,
  partitioning_func regproc default null, migrate_data boolean default false, chunk_target_size text default null,
  chunk_sizing_func regproc default null, time_partitioning_func regproc default null)
returns table (hypertable_id integer, schema_name name, table_name name, created boolean) language sql as $$
  select h.hypertable_id, n.nspname, c.relname, h.created
  from _timescaledb_catalog.make_hypertable(relation, time_column_name, chunk_time_interval::text, create_default_indexes, if_not_exists, migrate_data) as h
  join pg_class c on c.oid = relation join pg_namespace n on n.oid = c.relnamespace
$$;
create function _timescaledb_catalog.hypertable_of(relation regclass) returns integer language plpgsql stable as $$
declare
  found_id integer;
begin
  select id into found_id from _timescaledb_catalog.hypertable where relid = relation;
  if found_id is null then
    raise exception 'table "%" is not a hypertable', relation using errcode = 'TS001';
  end if;
  return found_id;
end
$$;
create function @extschema@.set_chunk_time_interval(hypertable regclass, chunk_time_interval anyelement, dimension_name name default null) returns void language sql as $$
  update _timescaledb_catalog.hypertable set chunk_time_interval = $2::text where id = _timescaledb_catalog.hypertable_of($1)
$$;
create function _timescaledb_catalog.add_job(proc_name name, relation regclass, config jsonb, schedule_interval interval) returns integer language sql as $$
  select _timescaledb_catalog.hypertable_of(relation);
  insert into _timescaledb_catalog.bgw_job (proc_name, hypertable, config, schedule_interval) values ($1, $2, $3, $4) returning id
$$;
create function @extschema@.add_retention_policy(relation regclass, drop_after anyelement, if_not_exists boolean default false,
  schedule_interval interval default null, initial_start timestamptz default null, timezone text default null) returns integer language sql as $$
  select _timescaledb_catalog.add_job('policy_retention', relation, jsonb_build_object('drop_after', drop_after::text), coalesce(schedule_interval, '1 day'))
$$;
create function @extschema@.remove_retention_policy(relation regclass, if_exists boolean default false) returns void language sql as $$
  delete from _timescaledb_catalog.bgw_job where hypertable = relation and proc_name = 'policy_retention'
$$;
create function @extschema@.add_compression_policy(hypertable regclass, compress_after anyelement, if_not_exists boolean default false,
  schedule_interval interval default null, initial_start timestamptz default null, timezone text default null,
  compress_created_before interval default null) returns integer language sql as $$
  select _timescaledb_catalog.add_job('policy_compression', hypertable, jsonb_build_object('compress_after', compress_after::text), coalesce(schedule_interval, '1 day'))
$$;
create function @extschema@.remove_compression_policy(hypertable regclass, if_exists boolean default false) returns boolean language sql as $$
  with removed as (delete from _timescaledb_catalog.bgw_job where _timescaledb_catalog.bgw_job.hypertable = $1 and proc_name = 'policy_compression' returning id)
  select exists (select from removed)
$$;
create function @extschema@.add_reorder_policy(hypertable regclass, index_name name, if_not_exists boolean default false,
  initial_start timestamptz default null, timezone text default null) returns integer language sql as $$
  select _timescaledb_catalog.add_job('policy_reorder', hypertable, jsonb_build_object('index_name', index_name), '1 day')
$$;
create function @extschema@.add_job(proc regproc, schedule_interval interval, config jsonb default null, initial_start timestamptz default null,
  scheduled boolean default true, check_config regproc default null, fixed_schedule boolean default true, timezone text default null) returns integer language sql as $$
  insert into _timescaledb_catalog.bgw_job (proc_name, config, schedule_interval) values (proc::text, config, schedule_interval) returning id
$$;
create function @extschema@.delete_job(job_id integer) returns void language sql as $$ delete from _timescaledb_catalog.bgw_job where id = job_id $$;
create function @extschema@.show_chunks(relation regclass, older_than anyelement default null::bigint, newer_than anyelement default null::bigint) returns setof regclass language sql as $$
  select null::regclass where false
$$;
create function @extschema@.drop_chunks(relation regclass, older_than anyelement default null::bigint, newer_than anyelement default null::bigint, verbose boolean default false)
returns setof text language sql as $$ select null::text where false $$;
create function @extschema@.hypertable_size(hypertable regclass) returns bigint language sql stable as $$ select pg_total_relation_size(hypertable) $$;
-- time_bucket: TimescaleDB's default origin is Monday 2000-01-03; months and years are
-- bucketed from 2000-01-01.
create function @extschema@.time_bucket(bucket_width interval, ts timestamptz) returns timestamptz language sql immutable strict parallel safe as $$
  select case when date_part('month', bucket_width) <> 0 or date_part('year', bucket_width) <> 0
    then timestamptz '2000-01-01 00:00:00+00' + make_interval(months => ((date_part('year', ts at time zone 'UTC') - 2000) * 12 + date_part('month', ts at time zone 'UTC') - 1)::integer
      / (date_part('year', bucket_width) * 12 + date_part('month', bucket_width))::integer * (date_part('year', bucket_width) * 12 + date_part('month', bucket_width))::integer)
    else date_bin(bucket_width, ts, timestamptz '2000-01-03 00:00:00+00') end
$$;
create function @extschema@.time_bucket(bucket_width interval, ts timestamp) returns timestamp language sql immutable strict parallel safe as $$
  select (@extschema@.time_bucket(bucket_width, ts at time zone 'UTC') at time zone 'UTC')
$$;
create function @extschema@.time_bucket(bucket_width interval, ts date) returns date language sql immutable strict parallel safe as $$
  select (@extschema@.time_bucket(bucket_width, ts::timestamp))::date
$$;
create function @extschema@.time_bucket(bucket_width interval, ts timestamptz, timezone text) returns timestamptz language sql immutable strict parallel safe as $$
  select (@extschema@.time_bucket(bucket_width, ts at time zone timezone) at time zone timezone)
$$;
create function @extschema@.time_bucket(bucket_width bigint, ts bigint) returns bigint language sql immutable strict parallel safe as $$
  select ts - ((ts % bucket_width) + bucket_width) % bucket_width
$$;
create function @extschema@.time_bucket(bucket_width integer, ts integer) returns integer language sql immutable strict parallel safe as $$
  select ts - ((ts % bucket_width) + bucket_width) % bucket_width
$$;
-- first(value, time) and last(value, time): the value at the earliest or latest time,
-- for times of the usual types. The state keeps the time as a number and the value as text.
do $first_last$
declare
  time_type text;
  direction record;
begin
  foreach time_type in array array['timestamptz', 'timestamp', 'date', 'bigint', 'integer'] loop
    execute format($final$
      create function %1$I._ts_pick_final(state jsonb, value anyelement, at %2$s) returns anyelement language plpgsql immutable as $body$
      declare
        result alias for $0;
      begin
        execute format('select %%L::%%s', state ->> 'v', pg_typeof(value)) into result;
        return result;
      end
      $body$$final$, '@extschema@', time_type);
    for direction in select * from (values ('first', '<'), ('last', '>')) as d(name, comparison) loop
      execute format($step$
        create function %1$I.%2$I(state jsonb, value anyelement, at %3$s) returns jsonb language sql immutable as $body$
          select case when at is null then state
                      when state is null or %4$s %5$s (state ->> 't')::numeric then jsonb_build_object('t', %4$s, 'v', value::text)
                      else state end
        $body$$step$, '@extschema@', '_ts_' || direction.name || '_step', time_type,
        case when time_type in ('bigint', 'integer') then 'at::numeric' else 'extract(epoch from at)' end, direction.comparison);
      execute format('create aggregate %1$I.%2$I(anyelement, %3$s) (sfunc = %1$I.%4$I, stype = jsonb, finalfunc = %1$I._ts_pick_final, finalfunc_extra)',
        '@extschema@', direction.name, time_type, '_ts_' || direction.name || '_step');
    end loop;
  end loop;
end
$first_last$;
create view timescaledb_information.hypertables as
  select n.nspname as hypertable_schema, c.relname as hypertable_name, r.rolname as owner, 1 as num_dimensions, 0::bigint as num_chunks,
         false as compression_enabled, null::name[] as tablespaces
  from _timescaledb_catalog.hypertable h join pg_class c on c.oid = h.relid join pg_namespace n on n.oid = c.relnamespace join pg_roles r on r.oid = c.relowner;
create view timescaledb_information.jobs as
  select j.id as job_id, j.proc_name, j.schedule_interval, j.config, n.nspname as hypertable_schema, c.relname as hypertable_name
  from _timescaledb_catalog.bgw_job j left join pg_class c on c.oid = j.hypertable left join pg_namespace n on n.oid = c.relnamespace;
