-- RLS enabled in a later migration: fine at the end of the set.
alter table public.profiles enable row level security;
create policy "read own profile" on public.profiles for select
  to authenticated using ((select auth.uid()) = id);
