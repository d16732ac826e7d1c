alter table public.orders rename to purchases;
