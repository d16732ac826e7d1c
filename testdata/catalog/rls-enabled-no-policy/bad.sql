-- expect: public.audit
create table public.audit (id bigint primary key);
alter table public.audit enable row level security;
