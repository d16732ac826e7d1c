create table public.orders (id bigint primary key, status text);
alter table public.orders enable row level security;
alter table public.orders rename column status to state;
