create table public.employees (
  id bigint generated always as identity primary key,
  name text not null,
  team_id bigint
);

create index employees_team_id_idx on public.employees (team_id);

alter table public.employees enable row level security;

create policy "signed in users read employees" on public.employees
  for select to authenticated using ((select auth.uid()) is not null);
