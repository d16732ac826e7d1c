create table public.profiles (
  id uuid primary key references auth.users (id) on delete cascade,
  bio text
);

-- A schema the API does not expose needs no RLS.
create schema private;
create table private.audit (id bigint generated always as identity primary key, note text);
