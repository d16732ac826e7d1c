create table public.audit (id bigint primary key);
alter table public.audit enable row level security;
create policy "read" on public.audit for select using (true);
-- Outside the exposed schemas a deny-all table is a deliberate choice.
create schema private;
create table private.jobs (id bigint primary key);
alter table private.jobs enable row level security;
