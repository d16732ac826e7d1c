-- expect: public.posts
create table public.posts (id bigint primary key, author uuid);
create policy "read all" on public.posts for select using (true);
create policy "own" on public.posts for update using (author = current_user::text::uuid);
