alter table public.orders add column status text;
