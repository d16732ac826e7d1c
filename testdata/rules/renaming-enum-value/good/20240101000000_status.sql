create type public.order_status as enum ('open', 'canceled');
-- The type is new in this migration: nothing deployed stores its values yet.
alter type public.order_status rename value 'canceled' to 'cancelled';
