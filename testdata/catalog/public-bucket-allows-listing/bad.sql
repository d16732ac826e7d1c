-- expect: storage.objects.read avatars
-- expect: storage.objects.read everything
-- expect: storage.objects.read odd ids
create role anon;
create role authenticated;
create schema storage;
create table storage.buckets (id text primary key, name text, public boolean default false);
create table storage.objects (id uuid primary key, bucket_id text references storage.buckets, name text, owner uuid, owner_id text);
alter table storage.objects enable row level security;
insert into storage.buckets (id, name, public) values ('avatars', 'avatars', true), ('docs', 'docs', false);
create policy "read avatars" on storage.objects for select using (bucket_id = 'avatars');
create policy "read everything" on storage.objects for select to authenticated using (true);
-- An id with LIKE and regex specials and a backslash (pg_get_expr writes no E'…').
insert into storage.buckets (id, name, public) values (E'a|b[1]^{x}\\z', 'odd', true);
create policy "read odd ids" on storage.objects for select to anon
  using (bucket_id = E'a|b[1]^{x}\\z');
