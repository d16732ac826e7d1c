-- Proven by a validated check first: PostgreSQL 12+ then skips the scan.
alter table public.orders add constraint orders_customer_id_not_null check (customer_id is not null) not valid;
alter table public.orders validate constraint orders_customer_id_not_null;
alter table public.orders alter column customer_id set not null;
create table public.invoices (id bigint primary key, order_id bigint);
alter table public.invoices enable row level security;
alter table public.invoices alter column order_id set not null;
