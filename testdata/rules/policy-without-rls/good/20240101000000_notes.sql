create table public.notes (id bigint primary key, owner uuid not null);
create policy "own notes" on public.notes for select
  to authenticated using ((select auth.uid()) = owner);
