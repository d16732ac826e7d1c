create function auth.user_role() returns text language sql stable set search_path = ''
  as $$ select 'member' $$;
create table storage.bucket_quotas (bucket_id text primary key, max_bytes bigint);
create index objects_owner_idx on storage.objects (owner);
create table vault.app_keys (id bigint primary key, key text);
