create table public.orders (id bigint primary key, status text);
alter table public.orders enable row level security;
create index orders_status_idx on public.orders (status);
