-- wrappers: Supabase's foreign data wrappers. Emulated: the statistics table and, for each
-- wrapper, its handler, validator and meta functions, so wrappers, servers and foreign
-- tables can be created (`create foreign data wrapper` still needs a superuser on plain
-- PostgreSQL). The validators accept any option; reading a foreign table fails (the
-- handler is PostgreSQL's `pg_last_xact_replay_timestamp`, which returns no FDW routine on
-- a primary, so PostgreSQL stops with "function … returned NULL"). One statement per
-- function, not a loop: the cause finder (src/postgres/cause.rs) reads this script to know
-- which handlers the emulation has.
create table @extschema@.wrappers_fdw_stats (
  fdw_name text primary key,
  create_times bigint,
  rows_in bigint,
  rows_out bigint,
  bytes_in bigint,
  bytes_out bigint,
  metadata jsonb,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create function @extschema@.airtable_fdw_handler() returns fdw_handler language internal strict as 'pg_last_xact_replay_timestamp';
create function @extschema@.airtable_fdw_validator(options text[], catalog oid) returns void language plpgsql as $$ begin end $$;
create function @extschema@.airtable_fdw_meta() returns table (name text, version text, author text, website text) language sql as $$ select 'airtable'::text, 'schemagate-emulated'::text, 'Supabase'::text, 'https://github.com/supabase/wrappers'::text $$;
create function @extschema@.auth0_fdw_handler() returns fdw_handler language internal strict as 'pg_last_xact_replay_timestamp';
create function @extschema@.auth0_fdw_validator(options text[], catalog oid) returns void language plpgsql as $$ begin end $$;
create function @extschema@.auth0_fdw_meta() returns table (name text, version text, author text, website text) language sql as $$ select 'auth0'::text, 'schemagate-emulated'::text, 'Supabase'::text, 'https://github.com/supabase/wrappers'::text $$;
create function @extschema@.bigquery_fdw_handler() returns fdw_handler language internal strict as 'pg_last_xact_replay_timestamp';
create function @extschema@.bigquery_fdw_validator(options text[], catalog oid) returns void language plpgsql as $$ begin end $$;
create function @extschema@.bigquery_fdw_meta() returns table (name text, version text, author text, website text) language sql as $$ select 'bigquery'::text, 'schemagate-emulated'::text, 'Supabase'::text, 'https://github.com/supabase/wrappers'::text $$;
create function @extschema@.clickhouse_fdw_handler() returns fdw_handler language internal strict as 'pg_last_xact_replay_timestamp';
create function @extschema@.clickhouse_fdw_validator(options text[], catalog oid) returns void language plpgsql as $$ begin end $$;
create function @extschema@.clickhouse_fdw_meta() returns table (name text, version text, author text, website text) language sql as $$ select 'clickhouse'::text, 'schemagate-emulated'::text, 'Supabase'::text, 'https://github.com/supabase/wrappers'::text $$;
create function @extschema@.cognito_fdw_handler() returns fdw_handler language internal strict as 'pg_last_xact_replay_timestamp';
create function @extschema@.cognito_fdw_validator(options text[], catalog oid) returns void language plpgsql as $$ begin end $$;
create function @extschema@.cognito_fdw_meta() returns table (name text, version text, author text, website text) language sql as $$ select 'cognito'::text, 'schemagate-emulated'::text, 'Supabase'::text, 'https://github.com/supabase/wrappers'::text $$;
create function @extschema@.duckdb_fdw_handler() returns fdw_handler language internal strict as 'pg_last_xact_replay_timestamp';
create function @extschema@.duckdb_fdw_validator(options text[], catalog oid) returns void language plpgsql as $$ begin end $$;
create function @extschema@.duckdb_fdw_meta() returns table (name text, version text, author text, website text) language sql as $$ select 'duckdb'::text, 'schemagate-emulated'::text, 'Supabase'::text, 'https://github.com/supabase/wrappers'::text $$;
create function @extschema@.firebase_fdw_handler() returns fdw_handler language internal strict as 'pg_last_xact_replay_timestamp';
create function @extschema@.firebase_fdw_validator(options text[], catalog oid) returns void language plpgsql as $$ begin end $$;
create function @extschema@.firebase_fdw_meta() returns table (name text, version text, author text, website text) language sql as $$ select 'firebase'::text, 'schemagate-emulated'::text, 'Supabase'::text, 'https://github.com/supabase/wrappers'::text $$;
create function @extschema@.iceberg_fdw_handler() returns fdw_handler language internal strict as 'pg_last_xact_replay_timestamp';
create function @extschema@.iceberg_fdw_validator(options text[], catalog oid) returns void language plpgsql as $$ begin end $$;
create function @extschema@.iceberg_fdw_meta() returns table (name text, version text, author text, website text) language sql as $$ select 'iceberg'::text, 'schemagate-emulated'::text, 'Supabase'::text, 'https://github.com/supabase/wrappers'::text $$;
create function @extschema@.logflare_fdw_handler() returns fdw_handler language internal strict as 'pg_last_xact_replay_timestamp';
create function @extschema@.logflare_fdw_validator(options text[], catalog oid) returns void language plpgsql as $$ begin end $$;
create function @extschema@.logflare_fdw_meta() returns table (name text, version text, author text, website text) language sql as $$ select 'logflare'::text, 'schemagate-emulated'::text, 'Supabase'::text, 'https://github.com/supabase/wrappers'::text $$;
create function @extschema@.mssql_fdw_handler() returns fdw_handler language internal strict as 'pg_last_xact_replay_timestamp';
create function @extschema@.mssql_fdw_validator(options text[], catalog oid) returns void language plpgsql as $$ begin end $$;
create function @extschema@.mssql_fdw_meta() returns table (name text, version text, author text, website text) language sql as $$ select 'mssql'::text, 'schemagate-emulated'::text, 'Supabase'::text, 'https://github.com/supabase/wrappers'::text $$;
create function @extschema@.redis_fdw_handler() returns fdw_handler language internal strict as 'pg_last_xact_replay_timestamp';
create function @extschema@.redis_fdw_validator(options text[], catalog oid) returns void language plpgsql as $$ begin end $$;
create function @extschema@.redis_fdw_meta() returns table (name text, version text, author text, website text) language sql as $$ select 'redis'::text, 'schemagate-emulated'::text, 'Supabase'::text, 'https://github.com/supabase/wrappers'::text $$;
create function @extschema@.s3_fdw_handler() returns fdw_handler language internal strict as 'pg_last_xact_replay_timestamp';
create function @extschema@.s3_fdw_validator(options text[], catalog oid) returns void language plpgsql as $$ begin end $$;
create function @extschema@.s3_fdw_meta() returns table (name text, version text, author text, website text) language sql as $$ select 's3'::text, 'schemagate-emulated'::text, 'Supabase'::text, 'https://github.com/supabase/wrappers'::text $$;
create function @extschema@.stripe_fdw_handler() returns fdw_handler language internal strict as 'pg_last_xact_replay_timestamp';
create function @extschema@.stripe_fdw_validator(options text[], catalog oid) returns void language plpgsql as $$ begin end $$;
create function @extschema@.stripe_fdw_meta() returns table (name text, version text, author text, website text) language sql as $$ select 'stripe'::text, 'schemagate-emulated'::text, 'Supabase'::text, 'https://github.com/supabase/wrappers'::text $$;
create function @extschema@.wasm_fdw_handler() returns fdw_handler language internal strict as 'pg_last_xact_replay_timestamp';
create function @extschema@.wasm_fdw_validator(options text[], catalog oid) returns void language plpgsql as $$ begin end $$;
create function @extschema@.wasm_fdw_meta() returns table (name text, version text, author text, website text) language sql as $$ select 'wasm'::text, 'schemagate-emulated'::text, 'Supabase'::text, 'https://github.com/supabase/wrappers'::text $$;
