create table public.orders (id bigint primary key, closed boolean not null default false);
alter table public.orders enable row level security;
create view public.open_orders as select * from public.orders where not closed;
