-- The table goes right after: its drop takes the lock anyway (ban-drop-table says so).
drop index public.legacy_code_idx;
drop table public.legacy;
