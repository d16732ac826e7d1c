create table public.invitations (id bigint primary key, organization_id bigint, email text);
alter table public.invitations enable row level security;
create index organization_membership_invitations_by_organization_and_email_idx on public.invitations (organization_id, email);
alter table public.invitations add column "an_extremely_long_column_name_that_goes_on_and_on_past_the_limit" text;
