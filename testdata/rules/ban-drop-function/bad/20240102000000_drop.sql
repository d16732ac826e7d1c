drop function public.invite_member(uuid, text);
drop function if exists private.cleanup();
