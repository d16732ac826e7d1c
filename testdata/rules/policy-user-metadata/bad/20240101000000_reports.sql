create table public.reports (id bigint primary key);
alter table public.reports enable row level security;
create policy "admins read all" on public.reports for select to authenticated
  using (((select auth.jwt()) -> 'user_metadata' ->> 'role') = 'admin');
