create role anon;
create role authenticated;
create table public.profiles (id bigint primary key, name text);
alter table public.profiles enable row level security;
create view public.profile_names with (security_invoker = on) as select name from public.profiles;
grant select on public.profile_names to authenticated;
-- Not readable by the API roles.
create view public.admin_report as select count(*) from public.profiles;
