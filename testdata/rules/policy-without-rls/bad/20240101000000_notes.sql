create table public.notes (id bigint primary key, owner uuid not null);
create index notes_owner_idx on public.notes (owner);
create policy "own notes" on public.notes for select
  to authenticated using ((select auth.uid()) = owner);
