-- ActiveRecord: transaction { Account.lock("FOR NO KEY UPDATE").find(11); save! }. Safe.
-- Recorded from ActiveRecord 6.1.7 + ruby-pg 1.4.5 through the proxy (internal/ormtraffic TestExternalORMs, ruby/activerecord_cases.rb). Prepared statements (extended protocol, named a1, a2, ...).
-- Catalog and type-introspection queries the ORM sent at connect are left out (kept in the *_naive_save fixture).
-- setup: CREATE TABLE "accounts" ("id" bigserial primary key, "owner" character varying, "balance" integer, "created_at" timestamp(6) NOT NULL, "updated_at" timestamp(6) NOT NULL)
-- setup: CREATE TABLE "wallets" ("id" bigserial primary key, "owner" character varying, "balance" integer, "lock_version" integer DEFAULT 0 NOT NULL, "created_at" timestamp(6) NOT NULL, "updated_at" timestamp(6) NOT NULL)
-- setup: INSERT INTO accounts (id, owner, balance, created_at, updated_at) VALUES (11, 'owner11', 100, now(), now())
ar_lock_no_key_update: SET client_min_messages TO 'warning'
ar_lock_no_key_update: SET standard_conforming_strings = on
ar_lock_no_key_update: SET intervalstyle = iso_8601
ar_lock_no_key_update: SET SESSION timezone TO 'UTC'
ar_lock_no_key_update: BEGIN
ar_lock_no_key_update: SELECT "accounts".* FROM "accounts" WHERE "accounts"."id" = $1 LIMIT $2 FOR NO KEY UPDATE   -- args: 11, 1
ar_lock_no_key_update: UPDATE "accounts" SET "balance" = $1, "updated_at" = $2 WHERE "accounts"."id" = $3   -- args: 250, '2026-11-25 18:47:31.244949', 11
ar_lock_no_key_update: COMMIT
