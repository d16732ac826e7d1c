-- pgmq (1.5): message queues in tables. Emulated in SQL: queues are real tables, so sending,
-- reading and archiving work; visibility timeouts and polling are not enforced.
create type pgmq.message_record as (msg_id bigint, read_ct integer, enqueued_at timestamptz, vt timestamptz, message jsonb, headers jsonb);
create type pgmq.queue_record as (queue_name varchar, is_partitioned boolean, is_unlogged boolean, created_at timestamptz);
create type pgmq.metrics_result as (queue_name text, queue_length bigint, newest_msg_age_sec integer, oldest_msg_age_sec integer, total_messages bigint, scrape_time timestamptz);
create table pgmq.meta (
  queue_name varchar unique not null,
  is_partitioned boolean not null default false,
  is_unlogged boolean not null default false,
  created_at timestamptz not null default now()
);
create function pgmq.format_table_name(queue_name text, prefix text) returns text language sql immutable as $$
  select lower(prefix || '_' || queue_name)
$$;
create function pgmq.create(queue_name text) returns void language plpgsql as $$
begin
  execute format('create table if not exists pgmq.%I (msg_id bigint primary key generated always as identity, read_ct integer not null default 0, enqueued_at timestamptz not null default now(), vt timestamptz not null, message jsonb, headers jsonb)', pgmq.format_table_name(queue_name, 'q'));
  execute format('create table if not exists pgmq.%I (msg_id bigint primary key, read_ct integer not null default 0, enqueued_at timestamptz not null default now(), archived_at timestamptz not null default now(), vt timestamptz not null, message jsonb, headers jsonb)', pgmq.format_table_name(queue_name, 'a'));
  execute format('create index if not exists %I on pgmq.%I (vt asc)', pgmq.format_table_name(queue_name, 'q') || '_vt_idx', pgmq.format_table_name(queue_name, 'q'));
  insert into pgmq.meta (queue_name) values (queue_name) on conflict do nothing;
end
$$;
create function pgmq.create_unlogged(queue_name text) returns void language sql as $$ select pgmq.create(queue_name) $$;
create function pgmq.create_non_partitioned(queue_name text) returns void language sql as $$ select pgmq.create(queue_name) $$;
create function pgmq.drop_queue(queue_name text) returns boolean language plpgsql as $$
begin
  execute format('drop table if exists pgmq.%I', pgmq.format_table_name(queue_name, 'q'));
  execute format('drop table if exists pgmq.%I', pgmq.format_table_name(queue_name, 'a'));
  delete from pgmq.meta m where m.queue_name = drop_queue.queue_name;
  return true;
end
$$;
create function pgmq.send(queue_name text, msg jsonb, delay integer default 0) returns setof bigint language plpgsql as $$
begin
  return query execute format('insert into pgmq.%I (vt, message) values (now() + make_interval(secs => $1), $2) returning msg_id', pgmq.format_table_name(queue_name, 'q')) using delay, msg;
end
$$;
create function pgmq.send(queue_name text, msg jsonb, headers jsonb, delay integer default 0) returns setof bigint language plpgsql as $$
begin
  return query execute format('insert into pgmq.%I (vt, message, headers) values (now() + make_interval(secs => $1), $2, $3) returning msg_id', pgmq.format_table_name(queue_name, 'q')) using delay, msg, headers;
end
$$;
create function pgmq.send(queue_name text, msg jsonb, delay timestamptz) returns setof bigint language plpgsql as $$
begin
  return query execute format('insert into pgmq.%I (vt, message) values ($1, $2) returning msg_id', pgmq.format_table_name(queue_name, 'q')) using delay, msg;
end
$$;
create function pgmq.send_batch(queue_name text, msgs jsonb[], delay integer default 0) returns setof bigint language plpgsql as $$
begin
  return query execute format('insert into pgmq.%I (vt, message) select now() + make_interval(secs => $1), unnest($2) returning msg_id', pgmq.format_table_name(queue_name, 'q')) using delay, msgs;
end
$$;
create function pgmq.read(queue_name text, vt integer, qty integer) returns setof pgmq.message_record language plpgsql as $$
begin
  return query execute format('update pgmq.%I set vt = now() + make_interval(secs => $1), read_ct = read_ct + 1 where msg_id in (select msg_id from pgmq.%I where vt <= now() order by msg_id limit $2 for update skip locked) returning msg_id, read_ct, enqueued_at, vt, message, headers', pgmq.format_table_name(queue_name, 'q'), pgmq.format_table_name(queue_name, 'q')) using vt, qty;
end
$$;
create function pgmq.read_with_poll(queue_name text, vt integer, qty integer, max_poll_seconds integer default 5, poll_interval_ms integer default 100) returns setof pgmq.message_record language sql as $$
  select * from pgmq.read(queue_name, vt, qty)
$$;
create function pgmq.pop(queue_name text) returns setof pgmq.message_record language plpgsql as $$
begin
  return query execute format('delete from pgmq.%I where msg_id = (select msg_id from pgmq.%I where vt <= now() order by msg_id limit 1 for update skip locked) returning msg_id, read_ct, enqueued_at, vt, message, headers', pgmq.format_table_name(queue_name, 'q'), pgmq.format_table_name(queue_name, 'q'));
end
$$;
create function pgmq.archive(queue_name text, msg_ids bigint[]) returns setof bigint language plpgsql as $$
begin
  return query execute format('with moved as (delete from pgmq.%I where msg_id = any($1) returning msg_id, read_ct, enqueued_at, vt, message, headers) insert into pgmq.%I (msg_id, read_ct, enqueued_at, vt, message, headers) select * from moved returning msg_id', pgmq.format_table_name(queue_name, 'q'), pgmq.format_table_name(queue_name, 'a')) using msg_ids;
end
$$;
create function pgmq.archive(queue_name text, msg_id bigint) returns boolean language sql as $$
  select exists (select from pgmq.archive(queue_name, array[msg_id]))
$$;
create function pgmq.delete(queue_name text, msg_ids bigint[]) returns setof bigint language plpgsql as $$
begin
  return query execute format('delete from pgmq.%I where msg_id = any($1) returning msg_id', pgmq.format_table_name(queue_name, 'q')) using msg_ids;
end
$$;
create function pgmq.delete(queue_name text, msg_id bigint) returns boolean language sql as $$
  select exists (select from pgmq.delete(queue_name, array[msg_id]))
$$;
create function pgmq.purge_queue(queue_name text) returns bigint language plpgsql as $$
declare
  deleted bigint;
begin
  execute format('with d as (delete from pgmq.%I returning 1) select count(*) from d', pgmq.format_table_name(queue_name, 'q')) into deleted;
  return deleted;
end
$$;
create function pgmq.set_vt(queue_name text, msg_id bigint, vt_offset integer) returns setof pgmq.message_record language plpgsql as $$
begin
  return query execute format('update pgmq.%I set vt = now() + make_interval(secs => $2) where msg_id = $1 returning msg_id, read_ct, enqueued_at, vt, message, headers', pgmq.format_table_name(queue_name, 'q')) using msg_id, vt_offset;
end
$$;
create function pgmq.list_queues() returns setof pgmq.queue_record language sql as $$
  select queue_name, is_partitioned, is_unlogged, created_at from pgmq.meta
$$;
create function pgmq.metrics(queue_name text) returns pgmq.metrics_result language sql as $$
  select (queue_name, 0::bigint, null::integer, null::integer, 0::bigint, now())::pgmq.metrics_result
$$;
create function pgmq.metrics_all() returns setof pgmq.metrics_result language sql as $$
  select pgmq.metrics(queue_name) from pgmq.meta
$$;
