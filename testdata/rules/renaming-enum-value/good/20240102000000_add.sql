alter type public.order_status add value if not exists 'refunded';
