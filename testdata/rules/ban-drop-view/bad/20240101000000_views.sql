create table public.members (id bigint primary key, active boolean not null default true);
create view public.active_members with (security_invoker = true) as
  select id from public.members where active;
create materialized view private.member_counts as select count(*) as n from public.members;
