alter view public.closed_orders set (security_invoker = on);

-- Not readable through the API: no risk.
create view public.order_totals as select count(*) as n from public.orders;
revoke all on public.order_totals from anon, authenticated;
