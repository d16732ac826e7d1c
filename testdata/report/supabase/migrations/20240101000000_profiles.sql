create table public.profiles (
  id uuid primary key,
  team_id uuid,
  role text
);

alter table public.profiles enable row level security;

create policy "admins read all" on public.profiles for select
  using ((auth.jwt() -> 'user_metadata' ->> 'role') = 'admin');
