create table public.users (id uuid primary key, email text unique, org uuid);
alter table public.users enable row level security;
create unique index users_email_idx on public.users (email);
create index users_org_idx on public.users (org);
create index users_org_idx2 on public.users using btree (org);
