create type public.order_status as enum ('open', 'canceled');
