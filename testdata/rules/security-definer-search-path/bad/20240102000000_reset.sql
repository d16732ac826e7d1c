create function public.grant_credit(target uuid) returns void
  language plpgsql security definer set search_path = public
as $$ begin update public.admins set id = target where id = target; end $$;

-- Dropping the setting later brings the problem back.
alter function public.grant_credit(uuid) reset search_path;
