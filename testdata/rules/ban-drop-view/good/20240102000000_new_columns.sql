-- Dropped to change its columns (`create or replace view` cannot remove one) and created
-- again by the same migration: clients see the view all along.
drop view public.active_members;
create view public.active_members with (security_invoker = true) as select id, active from public.members where active;
