create table public.teams (
  id bigint generated always as identity primary key,
  name text not null,
  created_at timestamptz not null default now()
);

create table public.team_members (
  team_id bigint not null references public.teams (id) on delete cascade,
  user_id uuid not null references public.profiles (id) on delete cascade,
  role text not null default 'member',
  primary key (team_id, user_id)
);

alter table public.teams enable row level security;
alter table public.team_members enable row level security;

-- auth.uid() is evaluated once per row here: wrap it as (select auth.uid()).
create policy "members see their teams"
  on public.teams for select to authenticated
  using (id in (select team_id from public.team_members where user_id = auth.uid()));

create policy "members see their memberships"
  on public.team_members for select to authenticated
  using (user_id = (select auth.uid()));
