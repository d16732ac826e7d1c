create table public.admins (id uuid primary key);
create function public.grant_admin(target uuid) returns void
    language plpgsql security definer set search_path = ''
    as $$ begin insert into public.admins values (target); end $$;
