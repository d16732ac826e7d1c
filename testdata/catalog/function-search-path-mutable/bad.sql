-- expect: public.total
-- expect: public.archive
create table public.items (price numeric);
create function public.total() returns numeric language sql as $$ select sum(price) from items $$;
create procedure public.archive() language plpgsql as $$ begin delete from items; end $$;
