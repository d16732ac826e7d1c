-- expect: public.pg_trgm
create extension pg_trgm;
