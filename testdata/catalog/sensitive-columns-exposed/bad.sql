-- expect: public.integrations.api_key
-- expect: public.accounts.password_hash
-- expect: public.account_view.stripe_access_token
create role anon;
create role authenticated;
create table public.integrations (id bigint primary key, owner uuid, api_key text);
grant select on public.integrations to anon;
create table public.accounts (id bigint primary key, password_hash text, display_name text);
grant select (password_hash) on public.accounts to authenticated;
create view public.account_view as select id, 'x'::text as stripe_access_token from public.accounts;
grant select on public.account_view to anon;
