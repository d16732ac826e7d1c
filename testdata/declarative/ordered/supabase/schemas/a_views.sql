-- Needs public.notes from b_tables.sql.
create view public.note_bodies with (security_invoker = true) as select id, body from public.notes;
