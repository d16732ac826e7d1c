-- expect: public.logs
-- expect: public.measurements
create table public.logs (at timestamptz, line text);
create table public.measurements (at date, value numeric) partition by range (at);
create table public.measurements_2024 partition of public.measurements for values from ('2024-01-01') to ('2025-01-01');
