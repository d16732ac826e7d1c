create table public.notes (id bigint primary key, body text);

-- A comment before the statement inside a DO body does not hide it.
do $$
begin
  -- notes are private to their author
  alter table public.notes enable row level security;
end $$;
