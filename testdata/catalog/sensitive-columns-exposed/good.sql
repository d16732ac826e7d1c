create role anon;
create role authenticated;
-- Row level security in between.
create table public.integrations (id bigint primary key, owner uuid, api_key text);
alter table public.integrations enable row level security;
grant select on public.integrations to anon;
-- The column is not granted.
create table public.accounts (id bigint primary key, password_hash text, display_name text);
grant select (id, display_name) on public.accounts to authenticated;
-- Names that only contain a sensitive word.
create table public.stats (id bigint primary key, token_count int, password_changed_at timestamptz);
grant select on public.stats to anon;
