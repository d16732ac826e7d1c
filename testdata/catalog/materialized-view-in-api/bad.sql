-- expect: public.order_totals
create role anon;
create role authenticated;
create table public.orders (id bigint primary key, customer_id bigint, amount numeric);
create materialized view public.order_totals as
    select customer_id, sum(amount) as total from public.orders group by customer_id;
grant select on public.order_totals to anon;
