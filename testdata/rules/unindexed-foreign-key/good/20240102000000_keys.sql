alter table public.invites add constraint invites_org_fk foreign key (org_id) references public.orgs (id);
create index members_user_idx on public.members (user_id, role);
