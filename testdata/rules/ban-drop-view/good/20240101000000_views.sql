create table public.members (id bigint primary key, active boolean not null default true);
-- Made and dropped in the same migration: nothing deployed had it.
create view public.scratch_members with (security_invoker = true) as select id from public.members;
drop view public.scratch_members;
-- Housekeeping of what no migration created.
drop view if exists public.legacy_members;
create view public.active_members with (security_invoker = true) as select id from public.members where active;
