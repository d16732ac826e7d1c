create schema if not exists partman;
create extension if not exists pg_partman with schema partman;
create table public.events (
  id bigint generated always as identity,
  created_at timestamptz not null default now(),
  payload jsonb,
  primary key (id, created_at)
) partition by range (created_at);
select partman.create_parent(p_parent_table := 'public.events', p_control := 'created_at', p_interval := '1 day');
update partman.part_config
set retention = '30 days', retention_keep_table = false, infinite_time_partitions = true
where parent_table = 'public.events';
insert into public.events (payload) values ('{"kind": "signup"}');
select partman.run_maintenance('public.events');
do $$
begin
  -- Today's partition takes the row; pg_partman makes premake (4) days back and ahead.
  assert (select count(*) from public.events_default) = 0;
  assert (select count(*) from partman.show_partitions('public.events')) = 9;
  assert (select tableoid::regclass::text = 'events_p' || to_char(created_at, 'YYYYMMDD') from public.events);
  assert (select partition_interval from partman.part_config where parent_table = 'public.events') = '1 day';
end
$$;
