create type public.order_state as enum ('open', 'closed');
alter type public.order_state add value 'cancelled';
-- Commit the new value so the update below may use it.
commit;
begin;
update public.orders set status = 'cancelled' where status = 'void';
