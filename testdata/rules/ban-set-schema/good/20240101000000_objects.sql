create schema billing;
create table public.invoices (id bigint primary key, total numeric not null);
-- Made and moved in the same migration: nothing deployed had it under the old name.
alter table public.invoices set schema billing;
-- Once moved, it is as new under its new name.
alter table billing.invoices set schema public;
create view public.open_invoices with (security_invoker = true) as select id from public.invoices;
alter view public.open_invoices set schema billing;
create function public.invoice_total(invoice bigint) returns numeric
  language sql stable as $$ select total from public.invoices where id = invoice $$;
alter function public.invoice_total(bigint) set schema billing;
create sequence public.invoice_numbers;
alter sequence public.invoice_numbers set schema billing;
create extension if not exists pg_trgm;
alter extension pg_trgm set schema billing;
-- Housekeeping of what no migration created.
alter table if exists public.legacy_invoices set schema archive;
