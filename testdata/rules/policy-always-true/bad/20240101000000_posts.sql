create table public.posts (id bigint primary key, author uuid);
alter table public.posts enable row level security;
create policy "anyone can update" on public.posts for update using (true);
create policy "signed in can insert" on public.posts for insert to authenticated with check ((true));
create policy "constant check" on public.posts for insert to anon with check (1 = 1);
create policy "constant using" on public.posts for delete using ('a' = 'a');
