create table public.events (
  id bigint primary key,
  happened_at timestamp not null,
  logged_at timestamp(3) without time zone
);
alter table public.events add column seen_at timestamp;
