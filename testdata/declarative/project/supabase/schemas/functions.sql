create function public.employee_count() returns bigint
  language sql stable
  set search_path = ''
  as $$ select count(*) from public.employees $$;
