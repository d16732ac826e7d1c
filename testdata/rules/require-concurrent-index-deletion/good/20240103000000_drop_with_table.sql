create table public.legacy (id bigint primary key, code text);
alter table public.legacy enable row level security;
create index legacy_code_idx on public.legacy (code);
