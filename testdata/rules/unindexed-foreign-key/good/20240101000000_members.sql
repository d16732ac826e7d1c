create table public.orgs (id uuid primary key);
create table public.members (
  org_id uuid references public.orgs (id),
  user_id uuid references auth.users (id),
  role text,
  -- the composite primary key covers org_id; user_id gets its own index below
  primary key (org_id, user_id)
);
create table public.invites (
  id bigint primary key,
  org_id uuid not null,
  email text not null,
  unique (org_id, email)
);
