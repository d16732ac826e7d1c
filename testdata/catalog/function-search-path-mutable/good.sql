create table public.items (price numeric);
create function public.total() returns numeric language sql set search_path = ''
    as $$ select sum(price) from public.items $$;
-- A SQL-standard body is resolved when it is created.
create function public.total_atomic() returns numeric language sql
    begin atomic select sum(price) from public.items; end;
-- Functions of an extension are not the project's.
create extension citext;
