create table public.customers (id bigint primary key);
create table public.orders (id bigint primary key, customer_id bigint references public.customers);
create index on public.orders (customer_id, id);
create table public.products (id bigint, order_id bigint, primary key (order_id, id));
create table public.lines (
    id bigint primary key,
    order_id bigint,
    product_id bigint,
    foreign key (order_id, product_id) references public.products (order_id, id)
);
-- Leading columns in another order still serve the equality lookups.
create index on public.lines (product_id, order_id, id);
-- The primary key's index covers a foreign key on its leading column.
create table public.order_notes (order_id bigint references public.orders, n int, primary key (order_id, n));
