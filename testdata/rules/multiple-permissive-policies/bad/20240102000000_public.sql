-- No TO: applies to anon and authenticated too.
create policy "read shared" on public.docs for select using (shared);
