create table public.orders (id bigint primary key, status text not null);
-- Blocks of function bodies are not transactions.
create function public.close_order(order_id bigint) returns void
  language plpgsql as $$
begin
  update public.orders set status = 'closed' where id = order_id;
end;
$$;
-- Savepoints stay inside the CLI's transaction.
savepoint before_backfill;
update public.orders set status = 'open' where status = '';
rollback to savepoint before_backfill;
release savepoint before_backfill;
