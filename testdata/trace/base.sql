-- The base every fixture's bad.sql and good.sql are applied onto: what production has.
create table public.orders (
  id int primary key,
  note varchar(20),
  total int
);
create index orders_total on public.orders (total);
insert into public.orders values (1, 'a', 10), (2, 'b', 20);
