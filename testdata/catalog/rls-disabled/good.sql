create role anon;
create role authenticated;
create table public.notes (id bigint primary key, body text);
alter table public.notes enable row level security;
grant select on public.notes to anon;
-- Not readable by the API roles.
create table public.internal_jobs (id bigint primary key);
-- Not in an exposed schema.
create schema private;
create table private.secrets (id bigint primary key);
grant usage on schema private to anon;
grant select on private.secrets to anon;
-- Managed by Supabase.
create schema auth;
create table auth.users (id uuid primary key);
grant select on auth.users to anon;
