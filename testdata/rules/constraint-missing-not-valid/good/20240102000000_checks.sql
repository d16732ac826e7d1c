create table public.customers (id bigint primary key, email text);
alter table public.customers enable row level security;
alter table public.customers add constraint customers_email_check check (email like '%@%');
alter table public.orders add constraint orders_total_positive check (total >= 0) not valid;
alter table public.orders validate constraint orders_total_positive;
alter table public.orders add constraint orders_customer_fk foreign key (customer_id) references public.customers (id) not valid;
