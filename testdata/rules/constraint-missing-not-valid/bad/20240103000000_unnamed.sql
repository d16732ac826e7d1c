-- Unnamed constraints are named as PostgreSQL names them, so each is its own object.
alter table public.orders add check (status <> '');
alter table public.orders add check (total < 1000000);
alter table public.orders add foreign key (customer_id) references public.customers (id);
