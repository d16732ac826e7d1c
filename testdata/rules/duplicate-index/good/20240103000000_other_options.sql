create table public.tags (id uuid primary key, name text unique);
alter table public.tags enable row level security;
-- Another operator class or sort order serves other queries.
create index tags_name_pattern_idx on public.tags (name text_pattern_ops);
create index tags_name_desc_idx on public.tags (name desc);
