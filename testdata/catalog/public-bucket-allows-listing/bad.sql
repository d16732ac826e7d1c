-- expect: storage.objects.read avatars
-- expect: storage.objects.read everything
create role anon;
create role authenticated;
create schema storage;
create table storage.buckets (id text primary key, name text, public boolean default false);
create table storage.objects (id uuid primary key, bucket_id text references storage.buckets, name text, owner uuid, owner_id text);
alter table storage.objects enable row level security;
insert into storage.buckets (id, name, public) values ('avatars', 'avatars', true), ('docs', 'docs', false);
create policy "read avatars" on storage.objects for select using (bucket_id = 'avatars');
create policy "read everything" on storage.objects for select to authenticated using (true);
