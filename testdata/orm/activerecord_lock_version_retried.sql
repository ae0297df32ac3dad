-- ActiveRecord lock_version: both read 0; b's save! matches no row (UPDATE 0), raises StaleObjectError, ROLLBACK;
-- b reloads and saves again. Healthy: 650 stored, no finding.
-- Recorded from ActiveRecord 6.1.7 + ruby-pg 1.4.5 through the proxy (internal/ormtraffic TestExternalORMs, ruby/activerecord_cases.rb). Prepared statements (extended protocol, named a1, a2, ...).
-- Catalog and type-introspection queries the ORM sent at connect are left out (kept in the *_naive_save fixture).
-- setup: CREATE TABLE "accounts" ("id" bigserial primary key, "owner" character varying, "balance" integer, "created_at" timestamp(6) NOT NULL, "updated_at" timestamp(6) NOT NULL)
-- setup: CREATE TABLE "wallets" ("id" bigserial primary key, "owner" character varying, "balance" integer, "lock_version" integer DEFAULT 0 NOT NULL, "created_at" timestamp(6) NOT NULL, "updated_at" timestamp(6) NOT NULL)
-- setup: INSERT INTO wallets (id, owner, balance, created_at, updated_at) VALUES (7, 'owner7', 100, now(), now())
ar_lock_retry_a: SET client_min_messages TO 'warning'
ar_lock_retry_a: SET standard_conforming_strings = on
ar_lock_retry_a: SET intervalstyle = iso_8601
ar_lock_retry_a: SET SESSION timezone TO 'UTC'
ar_lock_retry_a: SELECT "wallets".* FROM "wallets" WHERE "wallets"."id" = $1 LIMIT $2   -- args: 7, 1
ar_lock_retry_b: SET client_min_messages TO 'warning'
ar_lock_retry_b: SET standard_conforming_strings = on
ar_lock_retry_b: SET intervalstyle = iso_8601
ar_lock_retry_b: SET SESSION timezone TO 'UTC'
ar_lock_retry_b: SELECT "wallets".* FROM "wallets" WHERE "wallets"."id" = $1 LIMIT $2   -- args: 7, 1
ar_lock_retry_a: BEGIN
ar_lock_retry_a: UPDATE "wallets" SET "balance" = $1, "updated_at" = $2, "lock_version" = $3 WHERE "wallets"."id" = $4 AND "wallets"."lock_version" = $5   -- args: 250, '2026-11-25 18:47:31.170466', 1, 7, 0
ar_lock_retry_a: COMMIT
ar_lock_retry_b: BEGIN
ar_lock_retry_b: UPDATE "wallets" SET "balance" = $1, "updated_at" = $2, "lock_version" = $3 WHERE "wallets"."id" = $4 AND "wallets"."lock_version" = $5   -- args: 500, '2026-11-25 18:47:31.172140', 1, 7, 0
ar_lock_retry_b: ROLLBACK
ar_lock_retry_b: SELECT "wallets".* FROM "wallets" WHERE "wallets"."id" = $1 LIMIT $2   -- args: 7, 1
ar_lock_retry_b: BEGIN
ar_lock_retry_b: UPDATE "wallets" SET "balance" = $1, "updated_at" = $2, "lock_version" = $3 WHERE "wallets"."id" = $4 AND "wallets"."lock_version" = $5   -- args: 650, '2026-11-25 18:47:31.174117', 2, 7, 1
ar_lock_retry_b: COMMIT
