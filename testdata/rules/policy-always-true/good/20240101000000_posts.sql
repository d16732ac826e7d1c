create table public.posts (id bigint primary key, author uuid);
alter table public.posts enable row level security;
create policy "everyone reads" on public.posts for select using (true);
create policy "authors update" on public.posts for update to authenticated
  using ((select auth.uid()) = author) with check ((select auth.uid()) = author);
create policy "service writes" on public.posts for all to service_role using (true) with check (true);
create policy "not banned" on public.posts as restrictive for insert to authenticated with check (true);
-- Constant but false, or comparing different literals: nothing is allowed.
create policy "nobody deletes" on public.posts for delete using (1 = 2);
create policy "never" on public.posts for update using ('a' = 'b');
