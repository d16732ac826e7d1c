alter type public.order_status rename value 'canceled' to 'cancelled';
