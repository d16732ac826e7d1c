-- expect: public.docs
create role authenticated;
create table public.docs (id bigint primary key, owner name, shared boolean);
alter table public.docs enable row level security;
create policy "own" on public.docs for select to authenticated using (owner = current_user);
create policy "shared" on public.docs for select using (shared);
