create schema extensions;
create extension pg_trgm with schema extensions;
