alter table public.orders rename column status to state;
