create table public.docs (id bigint primary key, owner uuid, shared boolean not null default false);
alter table public.docs enable row level security;
create policy "read own or shared" on public.docs for select to authenticated
  using ((select auth.uid()) = owner or shared);
create policy "read shared" on public.docs for select to anon using (shared);
create policy "write own" on public.docs for insert to authenticated
  with check ((select auth.uid()) = owner);
-- Restrictive policies are AND-ed, and the service role bypasses RLS.
create policy "not archived" on public.docs as restrictive for select to authenticated using (true);
create policy "service" on public.docs for all to service_role using (true);
create policy "service reads" on public.docs for select to service_role using (true);
