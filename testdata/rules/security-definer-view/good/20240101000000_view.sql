create table public.orders (id bigint primary key, closed boolean not null default false);
alter table public.orders enable row level security;
create view public.open_orders with (security_invoker = true)
  as select * from public.orders where not closed;
create view public.closed_orders as select * from public.orders where closed;
create materialized view public.order_counts as select count(*) from public.orders;
create schema reporting;
create view reporting.all_orders as select * from public.orders;
