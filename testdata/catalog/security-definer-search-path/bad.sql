-- expect: public.grant_admin
create table public.admins (id uuid primary key);
create function public.grant_admin(target uuid) returns void
    language plpgsql security definer
    as $$ begin insert into admins values (target); end $$;
