create table public.teams (id uuid primary key, slug text, constraint teams_slug_key unique (slug));
alter table public.teams enable row level security;
-- Plain indexes over what the primary key and the unique constraint already index.
create index teams_id_idx on public.teams (id);
create index teams_slug_idx on public.teams (slug);
