-- expect: public.profile_names
create role anon;
create role authenticated;
create table public.profiles (id bigint primary key, name text);
alter table public.profiles enable row level security;
create view public.profile_names as select name from public.profiles;
grant select on public.profile_names to authenticated;
