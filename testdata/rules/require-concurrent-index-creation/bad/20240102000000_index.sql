create index orders_customer_id_idx on public.orders (customer_id);
