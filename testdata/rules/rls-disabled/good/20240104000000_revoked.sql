-- The API roles cannot read this table at all.
create table public.job_queue (id bigint primary key, payload jsonb);
revoke all on public.job_queue from anon, authenticated;
