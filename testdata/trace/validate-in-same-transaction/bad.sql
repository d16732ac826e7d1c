set lock_timeout = '5s';
alter table public.orders add constraint orders_total_positive check (total > 0) not valid;
alter table public.orders validate constraint orders_total_positive;
