create table public.events (name text not null, at timestamptz not null default now());
