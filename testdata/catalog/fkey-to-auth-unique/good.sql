create schema auth;
create table auth.users (id uuid primary key, email text unique);
create table public.invites (id bigint primary key, user_id uuid references auth.users (id));
-- A unique key of the project's own table is the project's to keep.
create table public.teams (id bigint primary key, slug text unique);
create table public.memberships (team_slug text references public.teams (slug));
