begin;
create table public.orders (id bigint primary key, status text not null);
commit;
