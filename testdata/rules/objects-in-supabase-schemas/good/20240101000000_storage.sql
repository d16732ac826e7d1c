-- Policies on storage.objects are how Supabase Storage is secured.
create policy "avatar uploads" on storage.objects for insert to authenticated
  with check (bucket_id = 'avatars' and (select auth.uid())::text = (storage.foldername(name))[1]);

create table public.profiles (id uuid primary key references auth.users (id) on delete cascade);
alter table public.profiles enable row level security;

create function public.handle_new_user() returns trigger
  language plpgsql security definer set search_path = ''
as $$ begin insert into public.profiles (id) values (new.id); return new; end $$;

-- Triggers on auth.users are allowed on hosted Supabase.
create trigger on_auth_user_created after insert on auth.users
  for each row execute procedure public.handle_new_user();
