create table public.users (id bigint primary key, email text unique, name text);
-- Different columns, order, operator class, predicate, method or included columns.
create index on public.users (email, name);
create index on public.users (name, email);
create index on public.users (email text_pattern_ops);
create index on public.users (email) where name is not null;
create index on public.users using hash (email);
create index on public.users (name) include (email);
create index on public.users (name, email desc);
create index on public.users (lower(email));
