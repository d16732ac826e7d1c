create table public.posts (id bigint primary key, author uuid);
alter table public.posts enable row level security;
create policy "read all" on public.posts for select using (true);
create table public.no_policies (id bigint primary key);
