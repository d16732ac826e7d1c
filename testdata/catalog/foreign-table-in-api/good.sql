create role anon;
create extension file_fdw;
create server files foreign data wrapper file_fdw;
create schema private;
create foreign table private.remote_customers (id text, email text)
    server files options (filename '/dev/null', format 'csv');
grant usage on schema private to anon;
grant select on private.remote_customers to anon;
-- Not readable by the API roles.
create foreign table public.remote_orders (id text) server files options (filename '/dev/null');
