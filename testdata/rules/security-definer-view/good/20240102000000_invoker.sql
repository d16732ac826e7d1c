alter view public.closed_orders set (security_invoker = on);
