alter table public.orders alter column total type numeric(12, 2);
