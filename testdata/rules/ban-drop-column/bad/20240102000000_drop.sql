alter table public.orders drop column status, drop column total;
