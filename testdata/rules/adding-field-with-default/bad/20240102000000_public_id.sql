alter table public.orders add column public_id uuid default gen_random_uuid();
alter table public.orders add column line_no bigserial;
