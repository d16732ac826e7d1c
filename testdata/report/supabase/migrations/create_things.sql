create table public.things (id bigint primary key);
