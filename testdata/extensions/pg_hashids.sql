create extension if not exists pg_hashids with schema extensions;
create table public.orders (
  id bigint generated always as identity primary key,
  public_id text generated always as (extensions.id_encode(id, 'orders-salt', 8)) stored
);
insert into public.orders default values;
create function public.order_by_public_id(p text) returns setof public.orders
language sql stable as $$
  select * from public.orders where id = id_decode_once(p, 'orders-salt', 8)
$$;
do $$
begin
  assert (select count(*) from public.order_by_public_id((select public_id from public.orders limit 1))) = 1;
  assert length(id_encode(1, 'salt', 8)) = 8;
  assert id_decode(id_encode(array[7, 0, 123456789]::bigint[])) = array[7, 0, 123456789]::bigint[];
end
$$;
