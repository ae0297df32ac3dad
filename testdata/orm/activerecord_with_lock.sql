-- ActiveRecord: a = Account.find(5); a.with_lock { a.balance += 150; a.save! }: BEGIN; SELECT ... FOR UPDATE (reload); UPDATE; COMMIT.
-- Safe: the value is recomputed from the locked re-read.
-- Recorded from ActiveRecord 6.1.7 + ruby-pg 1.4.5 through the proxy (internal/ormtraffic TestExternalORMs, ruby/activerecord_cases.rb). Prepared statements (extended protocol, named a1, a2, ...).
-- Catalog and type-introspection queries the ORM sent at connect are left out (kept in the *_naive_save fixture).
-- setup: CREATE TABLE "accounts" ("id" bigserial primary key, "owner" character varying, "balance" integer, "created_at" timestamp(6) NOT NULL, "updated_at" timestamp(6) NOT NULL)
-- setup: CREATE TABLE "wallets" ("id" bigserial primary key, "owner" character varying, "balance" integer, "lock_version" integer DEFAULT 0 NOT NULL, "created_at" timestamp(6) NOT NULL, "updated_at" timestamp(6) NOT NULL)
-- setup: INSERT INTO accounts (id, owner, balance, created_at, updated_at) VALUES (5, 'owner5', 100, now(), now())
ar_with_lock: SET client_min_messages TO 'warning'
ar_with_lock: SET standard_conforming_strings = on
ar_with_lock: SET intervalstyle = iso_8601
ar_with_lock: SET SESSION timezone TO 'UTC'
ar_with_lock: SELECT "accounts".* FROM "accounts" WHERE "accounts"."id" = $1 LIMIT $2   -- args: 5, 1
ar_with_lock: BEGIN
ar_with_lock: SELECT "accounts".* FROM "accounts" WHERE "accounts"."id" = $1 LIMIT $2 FOR UPDATE   -- args: 5, 1
ar_with_lock: UPDATE "accounts" SET "balance" = $1, "updated_at" = $2 WHERE "accounts"."id" = $3   -- args: 250, '2026-11-25 18:47:31.092131', 5
ar_with_lock: COMMIT
