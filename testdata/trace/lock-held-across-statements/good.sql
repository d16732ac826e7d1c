set lock_timeout = '5s';
alter table public.orders add column status text;
-- the backfill goes to a later migration, in batches
