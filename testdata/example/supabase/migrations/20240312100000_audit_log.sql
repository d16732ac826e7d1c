-- schemagate-ignore rls-disabled: written by triggers only; no API role has any grant on it
create table public.audit_log (
  id bigint generated always as identity primary key,
  happened_at timestamptz not null default now(),
  actor uuid,
  action text not null
);

revoke all on public.audit_log from anon, authenticated;
