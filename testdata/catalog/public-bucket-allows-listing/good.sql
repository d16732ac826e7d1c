create role anon;
create role authenticated;
create schema auth;
create function auth.uid() returns uuid language sql stable as $$ select null::uuid $$;
create schema storage;
create table storage.buckets (id text primary key, name text, public boolean default false);
create table storage.objects (id uuid primary key, bucket_id text references storage.buckets, name text, owner uuid, owner_id text);
alter table storage.objects enable row level security;
insert into storage.buckets (id, name, public) values ('avatars', 'avatars', true), ('docs', 'docs', false);
-- A private bucket needs a select policy.
create policy "read docs" on storage.objects for select to authenticated using (bucket_id = 'docs');
-- Narrowed to the caller's own files.
create policy "list own avatars" on storage.objects for select to authenticated
    using (bucket_id = 'avatars' and owner_id = (select auth.uid())::text);
-- A private bucket whose id has LIKE and regex specials: a select policy is how it is read.
insert into storage.buckets (id, name, public) values (E'p|q[1]^{x}\\z', 'odd', false);
create policy "read odd private" on storage.objects for select to anon
  using (bucket_id = E'p|q[1]^{x}\\z');
