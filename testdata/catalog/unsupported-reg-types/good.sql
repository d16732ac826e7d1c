-- regclass, regtype and regrole survive pg_upgrade.
create table public.hooks (id bigint primary key, handler text, target regclass, kind regtype, owner_role regrole);
