-- wrappers: Supabase's foreign data wrappers. Emulated: the statistics table only; the
-- wrapper handlers are native code and cannot be emulated.
create table @extschema@.wrappers_fdw_stats (
  fdw_name text primary key,
  create_times bigint,
  rows_in bigint,
  rows_out bigint,
  bytes_in bigint,
  bytes_out bigint,
  metadata jsonb,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
