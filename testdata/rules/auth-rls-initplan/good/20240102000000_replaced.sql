-- Replaced later: only the final policy counts.
create policy "tmp" on public.notes for delete to authenticated using (auth.uid() = owner);
drop policy "tmp" on public.notes;
