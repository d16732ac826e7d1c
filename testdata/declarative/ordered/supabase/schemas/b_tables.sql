create table public.notes (id bigint primary key, body text);
alter table public.notes enable row level security;
