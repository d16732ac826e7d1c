create extension if not exists pgtap with schema extensions;
create table public.profiles (id uuid primary key, username text not null);
alter table public.profiles enable row level security;
create policy "read own" on public.profiles for select using ((select auth.uid()) = id);
do $$
begin
  assert plan(4) = '1..4';
  assert has_table('public'::name, 'profiles'::name) like 'ok%';
  assert col_is_pk('public', 'profiles', 'id', 'id is the key') = 'ok - id is the key';
  assert policies_are('public', 'profiles', array['read own']) like 'ok%';
  assert throws_ok('insert into public.profiles (id) values (gen_random_uuid())', '23502') like 'ok%';
  assert is(1, 2, 'one is two') = 'not ok - one is two';
  assert (select count(*) from finish()) = 0;
end
$$;
