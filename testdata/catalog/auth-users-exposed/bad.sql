-- expect: public.members
-- expect: public.member_emails
-- expect: public.member_list
create role anon;
create role authenticated;
create schema auth;
create table auth.users (id uuid primary key, email text, raw_user_meta_data jsonb);
create view public.members as select id, email, raw_user_meta_data from auth.users;
grant select on public.members to anon;
create materialized view public.member_emails as select email from auth.users;
grant select on public.member_emails to authenticated;
-- Through a view of a schema that is not exposed.
create schema private;
create view private.users_view as select id, email from auth.users;
create view public.member_list as select email from private.users_view;
grant select on public.member_list to anon;
