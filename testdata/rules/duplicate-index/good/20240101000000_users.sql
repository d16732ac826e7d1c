create table public.users (id uuid primary key, email text, org uuid, deleted_at timestamptz);
alter table public.users enable row level security;
create unique index users_email_idx on public.users (email);
create index users_email_lower_idx on public.users (lower(email));
create index users_org_idx on public.users (org);
create index users_org_live_idx on public.users (org) where deleted_at is null;
create index users_org_email_idx on public.users (org, email);
create index users_email_org_idx on public.users (email, org);
create index users_tmp_idx on public.users (org);
