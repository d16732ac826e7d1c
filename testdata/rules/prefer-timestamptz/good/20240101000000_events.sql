create table public.events (
  id bigint primary key,
  happened_at timestamptz not null,
  logged_at timestamp(3) with time zone,
  day date
);
alter table public.events add column seen_at timestamptz;
