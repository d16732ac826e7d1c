create table public.invitations (id bigint primary key, organization_id bigint, email text);
alter table public.invitations enable row level security;
create index invitations_org_email_idx on public.invitations (organization_id, email);
