create function public.touch() returns trigger language plpgsql
as $$ begin new.updated_at = now(); return new; end $$;
