-- Fixed in a later migration, the way the Supabase advisor suggests.
alter function public.is_admin() set search_path = '';

create function public.whoami() returns uuid
  language sql stable security definer set "search_path" = pg_catalog, pg_temp
as $$ select auth.uid() $$;
