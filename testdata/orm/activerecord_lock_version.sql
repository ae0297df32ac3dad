-- ActiveRecord: lock_version column (optimistic locking); find(6); save!. Safe.
-- Recorded from ActiveRecord 6.1.7 + ruby-pg 1.4.5 through the proxy (internal/ormtraffic TestExternalORMs, ruby/activerecord_cases.rb). Prepared statements (extended protocol, named a1, a2, ...).
-- Catalog and type-introspection queries the ORM sent at connect are left out (kept in the *_naive_save fixture).
-- setup: CREATE TABLE "accounts" ("id" bigserial primary key, "owner" character varying, "balance" integer, "created_at" timestamp(6) NOT NULL, "updated_at" timestamp(6) NOT NULL)
-- setup: CREATE TABLE "wallets" ("id" bigserial primary key, "owner" character varying, "balance" integer, "lock_version" integer DEFAULT 0 NOT NULL, "created_at" timestamp(6) NOT NULL, "updated_at" timestamp(6) NOT NULL)
-- setup: INSERT INTO wallets (id, owner, balance, created_at, updated_at) VALUES (6, 'owner6', 100, now(), now())
ar_lock_version: SET client_min_messages TO 'warning'
ar_lock_version: SET standard_conforming_strings = on
ar_lock_version: SET intervalstyle = iso_8601
ar_lock_version: SET SESSION timezone TO 'UTC'
ar_lock_version: SELECT "wallets".* FROM "wallets" WHERE "wallets"."id" = $1 LIMIT $2   -- args: 6, 1
ar_lock_version: BEGIN
ar_lock_version: UPDATE "wallets" SET "balance" = $1, "updated_at" = $2, "lock_version" = $3 WHERE "wallets"."id" = $4 AND "wallets"."lock_version" = $5   -- args: 250, '2026-11-25 18:47:31.114218', 1, 6, 0
ar_lock_version: COMMIT
