create role anon;
create role authenticated;
create function public.delete_account(target uuid) returns void
    language sql security definer set search_path = ''
    as $$ select target $$;
revoke execute on function public.delete_account(uuid) from public, anon;
grant execute on function public.delete_account(uuid) to authenticated;
-- Security invoker.
create function public.echo(v text) returns text language sql set search_path = '' as $$ select v $$;
-- Trigger functions cannot be called through the API.
create function public.touch() returns trigger language plpgsql security definer set search_path = ''
    as $$ begin return new; end $$;
-- Not in an exposed schema.
create schema private;
create function private.admin_only() returns int language sql security definer set search_path = ''
    as $$ select 1 $$;
