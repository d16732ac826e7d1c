create schema auth;
create function auth.uid() returns uuid language sql stable
    as $$ select nullif(current_setting('request.jwt.claim.sub', true), '')::uuid $$;
create table public.todos (id bigint primary key, owner uuid, tenant text);
alter table public.todos enable row level security;
create policy "own todos" on public.todos for all using ((select auth.uid()) = owner)
    with check ((select auth.uid()) = owner);
create policy "tenant" on public.todos for select
    using (tenant = (select current_setting('app.tenant')));
