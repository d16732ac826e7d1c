alter table public.orders add column currency text not null;
