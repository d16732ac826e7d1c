drop view public.active_members;
drop materialized view if exists private.member_counts;
