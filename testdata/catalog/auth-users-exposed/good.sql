create role anon;
create role authenticated;
create schema auth;
create table auth.users (id uuid primary key, email text);
-- security_invoker: the caller's own rights on auth.users apply.
create view public.members with (security_invoker = true) as select id, email from auth.users;
grant select on public.members to anon;
-- Not readable by the API roles.
create view public.member_count as select count(*) from auth.users;
-- Not in an exposed schema.
create schema private;
create view private.members as select id, email from auth.users;
grant usage on schema private to anon;
grant select on private.members to anon;
