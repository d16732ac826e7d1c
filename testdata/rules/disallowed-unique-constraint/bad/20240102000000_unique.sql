alter table public.orders add constraint orders_customer_status_key unique (customer_id, status);
