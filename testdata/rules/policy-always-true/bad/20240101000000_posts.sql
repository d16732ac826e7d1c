create table public.posts (id bigint primary key, author uuid);
alter table public.posts enable row level security;
create policy "anyone can update" on public.posts for update using (true);
create policy "signed in can insert" on public.posts for insert to authenticated with check ((true));
