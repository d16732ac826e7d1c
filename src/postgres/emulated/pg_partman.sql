-- pg_partman 5: partition management. Emulated: create_parent checks what pg_partman 5
-- checks (a partitioned parent, a NOT NULL control column, `range` or `list`), records the
-- set in part_config, makes the child partitions pg_partman 5 makes at creation (for time:
-- `<parent>_pYYYYMMDD` from `premake` intervals back to `premake` ahead of now, aligned on
-- the interval's unit; for numbers: `<parent>_p<start>` from 0 to `premake` ahead) and the
-- default partition `<parent>_default`. Maintenance makes no new partitions and drops none.
create table @extschema@.part_config (
  parent_table text primary key,
  control text not null,
  partition_interval text not null,
  partition_type text not null,
  premake integer not null default 4,
  automatic_maintenance text not null default 'on',
  template_table text,
  retention text,
  retention_schema text,
  retention_keep_index boolean not null default true,
  retention_keep_table boolean not null default true,
  epoch text not null default 'none',
  constraint_cols text[],
  optimize_constraint integer not null default 30,
  infinite_time_partitions boolean not null default false,
  datetime_string text,
  jobmon boolean not null default true,
  sub_partition_set_full boolean not null default false,
  undo_in_progress boolean not null default false,
  inherit_privileges boolean default false,
  constraint_valid boolean not null default true,
  ignore_default_data boolean not null default true,
  default_table boolean default true,
  date_trunc_interval text,
  maintenance_order integer,
  retention_keep_publication boolean not null default false,
  maintenance_last_run timestamptz
);
create function @extschema@.create_parent(
  p_parent_table text,
  p_control text,
  p_interval text,
  p_type text default 'range',
  p_epoch text default 'none',
  p_premake integer default 4,
  p_start_partition text default null,
  p_default_table boolean default true,
  p_automatic_maintenance text default 'on',
  p_constraint_cols text[] default null,
  p_template_table text default null,
  p_jobmon boolean default true,
  p_date_trunc_interval text default null,
  p_control_not_null boolean default true,
  p_time_encoder text default null,
  p_time_decoder text default null
) returns boolean language plpgsql as $$
declare
  parent regclass := to_regclass(p_parent_table);
  not_null boolean;
  parent_schema name;
  parent_name name;
  control_type regtype;
  step interval;
  suffix_format text;
  first_start timestamptz;
  lower timestamptz;
begin
  if p_type not in ('range', 'list') then
    raise exception '% is not a valid partitioning type for pg_partman', p_type
      using hint = 'pg_partman 5 takes (p_parent_table, p_control, p_interval, p_type): `native` and `partman` types are pg_partman 4';
  end if;
  if parent is null then
    raise exception 'Unable to find given parent table in system catalogs. Please create parent table first: %', p_parent_table;
  end if;
  if not exists (select from pg_partitioned_table where partrelid = parent) then
    raise exception 'pg_partman only supports partitioning of data in natively partitioned tables: % is not partitioned', p_parent_table
      using hint = 'create it with `partition by range (…)`';
  end if;
  select a.attnotnull into not_null from pg_attribute a
  where a.attrelid = parent and a.attname = p_control and a.attnum > 0 and not a.attisdropped;
  if not found then
    raise exception 'Control column given (%) for parent table (%) does not exist', p_control, p_parent_table;
  end if;
  if p_control_not_null and not not_null then
    raise exception 'Control column given (%) for parent table (%) must be set to NOT NULL', p_control, p_parent_table;
  end if;
  select n.nspname, c.relname into parent_schema, parent_name
  from pg_class c join pg_namespace n on n.oid = c.relnamespace where c.oid = parent;
  select a.atttypid::regtype into control_type from pg_attribute a where a.attrelid = parent and a.attname = p_control;
  if p_type = 'range' and control_type in ('timestamp with time zone'::regtype, 'timestamp without time zone'::regtype, 'date'::regtype) then
    step := p_interval::interval;
    suffix_format := case when step < interval '1 day' then 'YYYYMMDD_HH24MISS' else 'YYYYMMDD' end;
    first_start := date_trunc(
      case when step >= interval '1 year' then 'year' when step >= interval '3 months' then 'quarter' when step >= interval '1 month' then 'month'
           when step >= interval '1 week' then 'week' when step >= interval '1 day' then 'day' when step >= interval '1 hour' then 'hour' else 'minute' end,
      coalesce(p_start_partition::timestamptz, now()));
    for i in (case when p_start_partition is null then -p_premake else 0 end)..p_premake loop
      lower := first_start + step * i;
      execute format('create table if not exists %I.%I partition of %s for values from (%L) to (%L)',
        parent_schema, left(parent_name, 50) || '_p' || to_char(lower, suffix_format), parent,
        (lower::timestamp)::text, ((lower + step)::timestamp)::text);
    end loop;
  elsif p_type = 'range' and control_type in ('bigint'::regtype, 'integer'::regtype, 'smallint'::regtype, 'numeric'::regtype) then
    for i in 0..p_premake loop
      execute format('create table if not exists %I.%I partition of %s for values from (%s) to (%s)',
        parent_schema, left(parent_name, 50) || '_p' || (p_interval::bigint * i), parent, p_interval::bigint * i, p_interval::bigint * (i + 1));
    end loop;
  end if;
  insert into @extschema@.part_config (parent_table, control, partition_interval, partition_type, premake, automatic_maintenance,
                                       template_table, epoch, constraint_cols, jobmon, default_table, date_trunc_interval, datetime_string)
  values (p_parent_table, p_control, p_interval, p_type, p_premake, p_automatic_maintenance,
          p_template_table, p_epoch, p_constraint_cols, p_jobmon, p_default_table, p_date_trunc_interval, suffix_format);
  if p_default_table then
    execute format('create table %I.%I partition of %s default', parent_schema, left(parent_name, 55) || '_default', parent);
  end if;
  return true;
end
$$;
create function @extschema@.run_maintenance(p_parent_table text default null, p_analyze boolean default false, p_jobmon boolean default true) returns void language plpgsql as $$
begin
  update @extschema@.part_config set maintenance_last_run = now() where p_parent_table is null or parent_table = p_parent_table;
end
$$;
create procedure @extschema@.run_maintenance_proc(p_wait integer default 0, p_analyze boolean default null, p_jobmon boolean default true) language plpgsql as $$
begin
  perform @extschema@.run_maintenance(null, coalesce(p_analyze, false), p_jobmon);
end
$$;
create function @extschema@.show_partitions(p_parent_table text, p_order text default 'ASC', p_include_default boolean default false)
returns table (partition_schemaname text, partition_tablename text) language sql stable as $$
  select n.nspname::text, c.relname::text
  from pg_inherits i join pg_class c on c.oid = i.inhrelid join pg_namespace n on n.oid = c.relnamespace
  where i.inhparent = to_regclass(p_parent_table)
    and (p_include_default or pg_get_expr(c.relpartbound, c.oid) <> 'DEFAULT')
  order by c.relname
$$;
create function @extschema@.check_default(p_exact_count boolean default true) returns table (default_table text, count bigint) language sql stable as $$
  select null::text, null::bigint where false
$$;
create function @extschema@.undo_partition(p_parent_table text, p_target_table text default null, p_loop_count integer default 1, p_batch_interval text default null,
  p_keep_table boolean default true, p_lock_wait numeric default 0, p_ignored_columns text[] default null, p_drop_cascade boolean default false,
  out partitions_undone integer, out rows_undone bigint) language plpgsql as $$
begin
  delete from @extschema@.part_config where parent_table = p_parent_table;
  partitions_undone := 0;
  rows_undone := 0;
end
$$;
