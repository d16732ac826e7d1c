-- expect: public.notes
-- expect: public.events_2024
create role anon;
create role authenticated;
create table public.notes (id bigint primary key, body text);
grant select on public.notes to anon;
-- A partition the API can read directly, while only its parent has RLS.
create table public.events (id bigint, at date) partition by range (at);
alter table public.events enable row level security;
create table public.events_2024 partition of public.events for values from ('2024-01-01') to ('2025-01-01');
grant select (id) on public.events_2024 to authenticated;
