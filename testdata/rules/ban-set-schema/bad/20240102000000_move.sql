alter table public.invoices set schema billing;
alter table private.audit_log set schema public;
alter type public.invoice_status set schema billing;
alter function public.invoice_total(bigint) set schema billing;
alter function private.purge_audit() set schema public;
alter extension pg_trgm set schema extensions;
