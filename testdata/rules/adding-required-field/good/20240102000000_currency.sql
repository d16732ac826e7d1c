-- A constant default fills existing rows; identity columns generate their own values.
alter table public.orders add column currency text not null default 'EUR';
alter table public.orders add column seq bigint generated always as identity;
alter table public.orders add column note text;
-- A table this migration creates is empty.
create table public.refunds (id bigint primary key);
alter table public.refunds enable row level security;
alter table public.refunds add column reason text not null;
