create table public.docs (id bigint primary key, owner uuid, shared boolean not null default false);
alter table public.docs enable row level security;
create policy "read own" on public.docs for select to authenticated
  using ((select auth.uid()) = owner);
create policy "manage own" on public.docs for all to authenticated
  using ((select auth.uid()) = owner);
