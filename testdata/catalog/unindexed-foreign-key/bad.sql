-- expect: public.orders.customer_id
-- expect: public.lines.order_id,product_id
create table public.customers (id bigint primary key);
create table public.orders (id bigint primary key, customer_id bigint references public.customers);
-- A second key over the same column is the same problem: one finding.
alter table public.orders add constraint orders_customer_again foreign key (customer_id) references public.customers;
create table public.products (id bigint, order_id bigint, primary key (order_id, id));
create table public.lines (
    id bigint primary key,
    order_id bigint,
    product_id bigint,
    foreign key (order_id, product_id) references public.products (order_id, id)
);
-- Neither covers (order_id, product_id): one column only, and a partial index.
create index on public.lines (order_id);
create index on public.lines (order_id, product_id) where product_id > 0;
