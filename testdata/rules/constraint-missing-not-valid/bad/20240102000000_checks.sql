create table public.customers (id bigint primary key);
alter table public.customers enable row level security;
alter table public.orders add constraint orders_total_positive check (total >= 0);
alter table public.orders add constraint orders_customer_fk foreign key (customer_id) references public.customers (id);
