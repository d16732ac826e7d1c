create extension if not exists pg_trgm;
create schema billing;
create schema private;
create table public.invoices (id bigint primary key, total numeric not null);
create table private.audit_log (id bigint primary key, entry text not null);
create type public.invoice_status as enum ('draft', 'sent');
create function public.invoice_total(invoice bigint) returns numeric
  language sql stable as $$ select total from public.invoices where id = invoice $$;
create function private.purge_audit() returns void
  language sql as $$ delete from private.audit_log $$;
