drop index concurrently public.orders_status_idx;
-- No migration made this one: dropping it if it exists is housekeeping.
drop index if exists public.orders_legacy_idx;
