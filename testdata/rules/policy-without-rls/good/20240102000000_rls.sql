alter table public.notes enable row level security;
-- Storage's tables are Supabase's: RLS is on there already.
create policy "read avatars" on storage.objects for select using (bucket_id = 'avatars');
