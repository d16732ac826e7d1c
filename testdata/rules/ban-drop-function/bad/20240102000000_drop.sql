drop function public.invite_member(uuid, text);
drop function if exists private.cleanup();
-- Created again with other arguments: callers passing one uuid fail.
drop function public.member_count(uuid);
create function public.member_count(team uuid, active boolean) returns int
  language sql set search_path = '' as $$ select 1 $$;
