-- expect: public.members
-- expect: public.member_emails
create role anon;
create role authenticated;
create schema auth;
create table auth.users (id uuid primary key, email text, raw_user_meta_data jsonb);
create view public.members as select id, email, raw_user_meta_data from auth.users;
grant select on public.members to anon;
create materialized view public.member_emails as select email from auth.users;
grant select on public.member_emails to authenticated;
