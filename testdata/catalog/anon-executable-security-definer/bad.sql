-- expect: public.delete_account
create role anon;
create function public.delete_account(target uuid) returns void
    language sql security definer set search_path = ''
    as $$ select target $$;
