-- The index exists (an earlier migration built it): this builds nothing.
create index if not exists orders_customer_id_idx on public.orders (customer_id);
