-- expect: public.hooks.handler
-- expect: public.hooks.operators
create table public.hooks (id bigint primary key, handler regprocedure, operators regoper[]);
