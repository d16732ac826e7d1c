create table public.order (id bigint primary key);
alter table public.order enable row level security;
alter table public.order rename to orders;
-- Renamed in the migration that made it: still new.
alter table public.orders rename to purchases;
