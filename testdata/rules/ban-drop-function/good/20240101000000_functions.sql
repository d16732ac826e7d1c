-- Made and dropped in the same migration: nothing deployed calls it.
create function public.scratch() returns int language sql set search_path = '' as $$ select 1 $$;
drop function public.scratch();
-- Housekeeping of what no migration created.
drop function if exists public.legacy_helper();
create function public.first_team(member uuid) returns uuid
  language sql set search_path = '' as $$ select null::uuid $$;
