create table public.notes (id bigint primary key, body text);
alter table public.notes enable row level security;
create view public.note_bodies with (security_invoker = true) as select id, body from public.notes;
