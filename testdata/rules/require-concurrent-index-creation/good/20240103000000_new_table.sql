create table public.shipments (id bigint primary key, order_id bigint);
alter table public.shipments enable row level security;
create index shipments_order_id_idx on public.shipments (order_id);
