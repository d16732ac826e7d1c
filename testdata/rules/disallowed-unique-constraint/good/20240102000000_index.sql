create unique index concurrently orders_customer_status_key on public.orders (customer_id, status);
