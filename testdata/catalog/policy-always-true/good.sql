create role anon;
create role authenticated;
create role service_role;
create table public.comments (id bigint primary key, body text, author name);
alter table public.comments enable row level security;
-- Reading everything is often intended; only writes are reported.
create policy "anyone reads" on public.comments for select using (true);
create policy "own inserts" on public.comments for insert to authenticated with check (author = current_user);
-- A policy for a role other than the API roles is a deliberate choice.
create policy "service writes" on public.comments for update to service_role using (true);
-- Constant but false, or a column compared with itself: not the constant true.
create policy "nobody deletes" on public.comments for delete using (1 = 2);
create policy "own edits" on public.comments for update using (author = author);
