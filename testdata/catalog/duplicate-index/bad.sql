-- expect: public.users.users_email_idx
-- expect: public.users.users_email_idx1
-- expect: public.users.users_id_idx
create table public.users (id bigint primary key, email text unique);
create index on public.users (email);
create index on public.users (email);
create index on public.users (id);
