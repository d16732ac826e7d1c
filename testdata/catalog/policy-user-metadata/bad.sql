-- expect: public.reports.admins read all
create schema auth;
create function auth.jwt() returns jsonb language sql stable
    as $$ select coalesce(nullif(current_setting('request.jwt.claims', true), ''), '{}')::jsonb $$;
create table public.reports (id bigint primary key);
alter table public.reports enable row level security;
create policy "admins read all" on public.reports for select
    using ((auth.jwt() -> 'user_metadata' ->> 'role') = 'admin');
