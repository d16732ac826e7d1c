create table public.notes (id bigint primary key, owner uuid not null, team uuid);
alter table public.notes enable row level security;
create policy "own notes" on public.notes for select to authenticated
  using (auth.uid() = owner);
create policy "team notes" on public.notes for update to authenticated
  using (exists (select 1 from public.notes n where n.team = notes.team and n.owner = auth.uid()))
  with check ((current_setting('request.jwt.claims', true)::jsonb ->> 'role') = 'editor' and owner = auth.uid());
