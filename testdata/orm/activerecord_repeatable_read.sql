-- ActiveRecord: Account.transaction(isolation: :repeatable_read) { find; save! }: BEGIN ISOLATION LEVEL REPEATABLE READ. Safe.
-- Recorded from ActiveRecord 6.1.7 + ruby-pg 1.4.5 through the proxy (internal/ormtraffic TestExternalORMs, ruby/activerecord_cases.rb). Prepared statements (extended protocol, named a1, a2, ...).
-- Catalog and type-introspection queries the ORM sent at connect are left out (kept in the *_naive_save fixture).
-- setup: CREATE TABLE "accounts" ("id" bigserial primary key, "owner" character varying, "balance" integer, "created_at" timestamp(6) NOT NULL, "updated_at" timestamp(6) NOT NULL)
-- setup: CREATE TABLE "wallets" ("id" bigserial primary key, "owner" character varying, "balance" integer, "lock_version" integer DEFAULT 0 NOT NULL, "created_at" timestamp(6) NOT NULL, "updated_at" timestamp(6) NOT NULL)
-- setup: INSERT INTO accounts (id, owner, balance, created_at, updated_at) VALUES (10, 'owner10', 100, now(), now())
ar_repeatable_read: SET client_min_messages TO 'warning'
ar_repeatable_read: SET standard_conforming_strings = on
ar_repeatable_read: SET intervalstyle = iso_8601
ar_repeatable_read: SET SESSION timezone TO 'UTC'
ar_repeatable_read: BEGIN
ar_repeatable_read: SET TRANSACTION ISOLATION LEVEL REPEATABLE READ
ar_repeatable_read: SELECT "accounts".* FROM "accounts" WHERE "accounts"."id" = $1 LIMIT $2   -- args: 10, 1
ar_repeatable_read: UPDATE "accounts" SET "balance" = $1, "updated_at" = $2 WHERE "accounts"."id" = $3   -- args: 250, '2026-11-25 18:47:31.224739', 10
ar_repeatable_read: COMMIT
