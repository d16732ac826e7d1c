-- A defensive drop of a table no migration created, and one made in this migration.
drop table if exists public.orders;
create table public.orders (id bigint primary key);
alter table public.orders enable row level security;
create table public.scratch (id bigint primary key);
alter table public.scratch enable row level security;
drop table public.scratch;
