-- expect: public.remote_customers
create role anon;
create extension file_fdw;
create server files foreign data wrapper file_fdw;
create foreign table public.remote_customers (id text, email text)
    server files options (filename '/dev/null', format 'csv');
grant select on public.remote_customers to anon;
