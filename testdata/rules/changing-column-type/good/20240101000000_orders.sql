create table public.orders (id bigint primary key, total numeric);
alter table public.orders enable row level security;
-- Still the migration that creates the table: nothing is deployed yet.
alter table public.orders alter column total type numeric(12, 2);
