create table public.logs (id bigint generated always as identity primary key, line text);
create table public.measurements (at date, value numeric, primary key (at)) partition by range (at);
create table public.measurements_2024 partition of public.measurements for values from ('2024-01-01') to ('2025-01-01');
-- Tables of an extension are not the project's.
create extension pg_trgm;
create table public.trgm_cache (word text);
alter extension pg_trgm add table public.trgm_cache;
-- Nor are the tables of the schemas Supabase manages.
create schema storage;
create table storage.migrations (name text);
