-- The audit log is written by triggers and read with the service role only.
create table public.audit_log (
  id bigint generated always as identity primary key,
  happened_at timestamptz not null default now(),
  actor uuid,
  action text not null
);

-- Row level security without any policy denies every API role: exactly what we want here.
-- schemagate-ignore rls-enabled-no-policy: deny-all on purpose, read with the service role
alter table public.audit_log enable row level security;
