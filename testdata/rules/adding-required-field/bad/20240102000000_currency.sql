alter table public.orders add column currency text not null;
-- `if not exists` creates nothing here: the table is the deployed one.
create table if not exists public.orders (id bigint primary key);
alter table public.orders add column region text not null;
