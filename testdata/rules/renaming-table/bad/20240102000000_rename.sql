alter table public.orders rename to purchases;
-- Still the deployed table under its new name.
alter table public.purchases rename to sales;
