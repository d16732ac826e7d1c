create function public.invite_member(team uuid, email text) returns void
  language sql set search_path = '' as $$ select 1 $$;
create function private.cleanup() returns void language sql set search_path = '' as $$ select 1 $$;
create function public.member_count(team uuid) returns int
  language sql set search_path = '' as $$ select 1 $$;
