alter table public.orders alter column customer_id set not null;
-- A check that was never validated proves nothing.
alter table public.orders add constraint orders_total_not_null check (total is not null) not valid;
alter table public.orders alter column total set not null;
