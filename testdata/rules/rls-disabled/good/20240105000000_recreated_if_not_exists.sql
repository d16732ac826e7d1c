-- sqlparser cannot read this CREATE TABLE (LIKE), but the table exists from here on.
create table public.archive (like public.notes including all, archived_at timestamptz);
alter table public.archive enable row level security;
-- Creates nothing: the table exists, and keeps its row level security.
create table if not exists public.archive (id bigint primary key, body text);
