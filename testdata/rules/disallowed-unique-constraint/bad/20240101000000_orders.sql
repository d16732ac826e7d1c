create table public.orders (id bigint generated always as identity primary key, customer_id bigint, total numeric, status text);
alter table public.orders enable row level security;

