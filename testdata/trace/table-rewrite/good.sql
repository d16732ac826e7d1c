set lock_timeout = '5s';
-- widening a varchar changes only the catalog
alter table public.orders alter column note type varchar(50);
