-- A column added by this migration can go again: nothing deployed has it.
alter table public.orders add column draft_note text;
create table public.drafts (id bigint primary key, body text);
alter table public.drafts enable row level security;
alter table public.drafts drop column body;
