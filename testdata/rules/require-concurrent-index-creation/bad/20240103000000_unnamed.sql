-- Two unnamed indexes on one table: two objects.
create index on public.orders (status);
create index on public.orders (total);
