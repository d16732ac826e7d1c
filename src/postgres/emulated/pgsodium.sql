-- pgsodium: libsodium for PostgreSQL. Emulated: the key table and the function
-- signatures exist; "encryption" is the identity.
do $$
begin
  if not exists (select from pg_roles where rolname = 'pgsodium_keyiduser') then create role pgsodium_keyiduser nologin; end if;
  if not exists (select from pg_roles where rolname = 'pgsodium_keyholder') then create role pgsodium_keyholder nologin; end if;
  if not exists (select from pg_roles where rolname = 'pgsodium_keymaker') then create role pgsodium_keymaker nologin; end if;
end
$$;
create type pgsodium.key_status as enum ('default', 'valid', 'invalid', 'expired');
create type pgsodium.key_type as enum ('aead-ietf', 'aead-det', 'hmacsha512', 'hmacsha256', 'auth', 'shorthash', 'generichash', 'kdf', 'secretbox', 'secretstream', 'stream_xchacha20');
create table pgsodium.key (
  id uuid primary key default gen_random_uuid(),
  status pgsodium.key_status default 'valid',
  created timestamptz not null default now(),
  expires timestamptz,
  key_type pgsodium.key_type,
  key_id bigint,
  key_context bytea default 'pgsodium',
  name text unique,
  associated_data text default 'associated',
  raw_key bytea,
  raw_key_nonce bytea,
  parent_key uuid references pgsodium.key (id),
  comment text,
  user_data text
);
create view pgsodium.valid_key as
  select id, name, status, key_type, key_id, key_context, created, expires, associated_data
  from pgsodium.key where status in ('valid', 'default');
create view pgsodium.decrypted_key as select *, raw_key as decrypted_raw_key from pgsodium.key;
create function pgsodium.create_key(key_type pgsodium.key_type default 'aead-det', name text default null, raw_key bytea default null, raw_key_nonce bytea default null, parent_key uuid default null, key_context bytea default 'pgsodium', expires timestamptz default null, associated_data text default '')
returns pgsodium.valid_key language sql as $$
  with k as (insert into pgsodium.key (key_type, name, raw_key, raw_key_nonce, parent_key, key_context, expires, associated_data)
    values ($1, $2, $3, $4, $5, $6, $7, $8) returning *)
  select id, name, status, key_type, key_id, key_context, created, expires, associated_data from k
$$;
create function pgsodium.randombytes_buf(size integer) returns bytea language sql as $$ select decode(repeat('00', size), 'hex') $$;
create function pgsodium.randombytes_random() returns integer language sql as $$ select 4 $$;
create function pgsodium.crypto_aead_det_keygen() returns bytea language sql as $$ select decode(repeat('00', 32), 'hex') $$;
create function pgsodium.crypto_aead_det_noncegen() returns bytea language sql as $$ select decode(repeat('00', 16), 'hex') $$;
create function pgsodium.crypto_secretbox_keygen() returns bytea language sql as $$ select decode(repeat('00', 32), 'hex') $$;
create function pgsodium.crypto_secretbox_noncegen() returns bytea language sql as $$ select decode(repeat('00', 24), 'hex') $$;
create function pgsodium.crypto_aead_det_encrypt(message bytea, additional bytea, key_uuid uuid, nonce bytea default null) returns bytea language sql as $$ select message $$;
create function pgsodium.crypto_aead_det_decrypt(message bytea, additional bytea, key_uuid uuid, nonce bytea default null) returns bytea language sql as $$ select message $$;
create function pgsodium.crypto_aead_det_encrypt(message bytea, additional bytea, key_id bigint, context bytea default 'pgsodium', nonce bytea default null) returns bytea language sql as $$ select message $$;
create function pgsodium.crypto_aead_det_decrypt(message bytea, additional bytea, key_id bigint, context bytea default 'pgsodium', nonce bytea default null) returns bytea language sql as $$ select message $$;
create function pgsodium.crypto_secretbox(message bytea, nonce bytea, key bytea) returns bytea language sql as $$ select message $$;
create function pgsodium.crypto_secretbox_open(ciphertext bytea, nonce bytea, key bytea) returns bytea language sql as $$ select ciphertext $$;
create function pgsodium.crypto_generichash(message bytea, key bytea default null) returns bytea language sql as $$ select sha256(message) $$;
create function pgsodium.crypto_auth_hmacsha256(message bytea, secret bytea) returns bytea language sql as $$ select sha256(message || secret) $$;
create function pgsodium.crypto_sign_new_keypair(out public bytea, out secret bytea) language sql as $$ select '\x00'::bytea, '\x00'::bytea $$;
