alter table public.orders add constraint orders_customer_status_key unique using index orders_customer_status_key;
