drop index public.orders_status_idx;
