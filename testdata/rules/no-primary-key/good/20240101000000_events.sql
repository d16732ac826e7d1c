create table public.events (name text not null, at timestamptz not null default now());
alter table public.events add column id bigint generated always as identity;
alter table public.events add primary key (id);
create table public.logs (at timestamptz not null, line text, primary key (at, line)) partition by range (at);
create table public.logs_2024 partition of public.logs for values from ('2024-01-01') to ('2025-01-01');
-- not exposed
create schema internal;
create table internal.stuff (x int);
