create table public.admins (id uuid primary key);
alter table public.admins enable row level security;

create or replace function public.is_admin() returns boolean
  language sql stable security definer
as $$ select exists (select 1 from public.admins where id = auth.uid()) $$;
