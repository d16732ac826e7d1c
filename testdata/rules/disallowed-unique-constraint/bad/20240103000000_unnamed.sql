alter table public.orders add unique (status);
alter table public.orders add unique (customer_id);
