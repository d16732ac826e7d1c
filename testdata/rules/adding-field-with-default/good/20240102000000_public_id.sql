alter table public.orders add column public_id uuid;
alter table public.orders alter column public_id set default gen_random_uuid();
alter table public.orders add column created_at timestamptz not null default now();
