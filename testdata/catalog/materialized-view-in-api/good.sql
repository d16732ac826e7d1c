create role anon;
create role authenticated;
create table public.orders (id bigint primary key, customer_id bigint, amount numeric);
create schema private;
create materialized view private.order_totals as
    select customer_id, sum(amount) as total from public.orders group by customer_id;
grant usage on schema private to anon;
grant select on private.order_totals to anon;
-- Not readable by the API roles.
create materialized view public.order_count as select count(*) from public.orders;
