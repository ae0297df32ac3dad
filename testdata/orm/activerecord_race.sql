-- ActiveRecord: two handlers find(8) (balance 100); a saves 250, b saves 500. A real lost update.
-- Recorded from ActiveRecord 6.1.7 + ruby-pg 1.4.5 through the proxy (internal/ormtraffic TestExternalORMs, ruby/activerecord_cases.rb). Prepared statements (extended protocol, named a1, a2, ...).
-- Catalog and type-introspection queries the ORM sent at connect are left out (kept in the *_naive_save fixture).
-- setup: CREATE TABLE "accounts" ("id" bigserial primary key, "owner" character varying, "balance" integer, "created_at" timestamp(6) NOT NULL, "updated_at" timestamp(6) NOT NULL)
-- setup: CREATE TABLE "wallets" ("id" bigserial primary key, "owner" character varying, "balance" integer, "lock_version" integer DEFAULT 0 NOT NULL, "created_at" timestamp(6) NOT NULL, "updated_at" timestamp(6) NOT NULL)
-- setup: INSERT INTO accounts (id, owner, balance, created_at, updated_at) VALUES (8, 'owner8', 100, now(), now())
ar_race_a: SET client_min_messages TO 'warning'
ar_race_a: SET standard_conforming_strings = on
ar_race_a: SET intervalstyle = iso_8601
ar_race_a: SET SESSION timezone TO 'UTC'
ar_race_a: SELECT "accounts".* FROM "accounts" WHERE "accounts"."id" = $1 LIMIT $2   -- args: 8, 1
ar_race_b: SET client_min_messages TO 'warning'
ar_race_b: SET standard_conforming_strings = on
ar_race_b: SET intervalstyle = iso_8601
ar_race_b: SET SESSION timezone TO 'UTC'
ar_race_b: SELECT "accounts".* FROM "accounts" WHERE "accounts"."id" = $1 LIMIT $2   -- args: 8, 1
ar_race_a: BEGIN
ar_race_a: UPDATE "accounts" SET "balance" = $1, "updated_at" = $2 WHERE "accounts"."id" = $3   -- args: 250, '2026-11-25 18:47:31.320305', 8   -- want RMW001
ar_race_a: COMMIT
ar_race_b: BEGIN
ar_race_b: UPDATE "accounts" SET "balance" = $1, "updated_at" = $2 WHERE "accounts"."id" = $3   -- args: 500, '2026-11-25 18:47:31.322361', 8   -- want RMW001
ar_race_b: COMMIT   -- want RMW006 /ar_race_a's write \(committed first\) was overwritten/
