-- expect: public.comments.constant check
-- expect: public.comments.constant using
-- expect: public.comments.anyone inserts
-- expect: public.comments.anyone edits
create role anon;
create role authenticated;
create table public.comments (id bigint primary key, body text);
alter table public.comments enable row level security;
create policy "anyone inserts" on public.comments for insert to anon with check (true);
create policy "anyone edits" on public.comments for update using (true) with check (length(body) < 500);
create policy "constant check" on public.comments for insert to authenticated with check (1 = 1);
create policy "constant using" on public.comments for delete using ('a' = 'a');
