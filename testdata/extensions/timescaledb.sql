create extension if not exists timescaledb with schema extensions;
create table public.conditions (
  time timestamptz not null,
  device_id bigint not null,
  temperature double precision
);
select create_hypertable('public.conditions', 'time', chunk_time_interval => interval '1 day');
create table public.metrics (ts timestamptz not null, value double precision);
select create_hypertable('public.metrics', by_range('ts', interval '7 days'), if_not_exists => true);
select set_chunk_time_interval('public.conditions', interval '12 hours');
select add_retention_policy('public.conditions', interval '90 days');
select add_compression_policy('public.metrics', interval '30 days');
create view public.hourly as
  select time_bucket('1 hour', time) as bucket, device_id, avg(temperature) as avg_temperature
  from public.conditions group by 1, 2;
create view public.latest as
  select device_id, last(temperature, time) as temperature, first(time, time) as since
  from public.conditions group by device_id;
insert into public.conditions values
  ('2024-05-05 10:00+00', 1, 20.5), ('2024-05-05 09:00+00', 1, 19.0), ('2024-05-05 11:00+00', 1, 21.25);
do $$
begin
  assert time_bucket('15 minutes', timestamptz '2024-05-05 10:37:00+00') = timestamptz '2024-05-05 10:30:00+00';
  assert time_bucket(10, 37) = 30;
  assert (select temperature from public.latest where device_id = 1) = 21.25;
  assert (select since from public.latest where device_id = 1) = timestamptz '2024-05-05 09:00+00';
  assert (select count(*) from timescaledb_information.hypertables) = 2;
  assert exists (select from pg_indexes where tablename = 'conditions' and indexname = 'conditions_time_idx');
end
$$;
