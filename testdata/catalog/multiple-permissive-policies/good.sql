create role anon;
create role authenticated;
create table public.docs (id bigint primary key, owner name, shared boolean);
alter table public.docs enable row level security;
-- One policy per role and command; a restrictive policy is AND-ed, not OR-ed.
create policy "read" on public.docs for select to authenticated using (owner = current_user or shared);
create policy "read public" on public.docs for select to anon using (shared);
create policy "write own" on public.docs for update to authenticated using (owner = current_user);
create policy "not archived" on public.docs as restrictive for select using (id > 0);
