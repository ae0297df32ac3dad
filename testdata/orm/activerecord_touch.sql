-- ActiveRecord: Account.find(9).touch: UPDATE ... SET "updated_at" = now-ish WHERE id. Nothing read is written back
-- (the timestamp does not depend on the read): safe, no finding.
-- Recorded from ActiveRecord 6.1.7 + ruby-pg 1.4.5 through the proxy (internal/ormtraffic TestExternalORMs, ruby/activerecord_cases.rb). Prepared statements (extended protocol, named a1, a2, ...).
-- Catalog and type-introspection queries the ORM sent at connect are left out (kept in the *_naive_save fixture).
-- setup: CREATE TABLE "accounts" ("id" bigserial primary key, "owner" character varying, "balance" integer, "created_at" timestamp(6) NOT NULL, "updated_at" timestamp(6) NOT NULL)
-- setup: CREATE TABLE "wallets" ("id" bigserial primary key, "owner" character varying, "balance" integer, "lock_version" integer DEFAULT 0 NOT NULL, "created_at" timestamp(6) NOT NULL, "updated_at" timestamp(6) NOT NULL)
-- setup: INSERT INTO accounts (id, owner, balance, created_at, updated_at) VALUES (9, 'owner9', 100, now(), now())
ar_touch: SET client_min_messages TO 'warning'
ar_touch: SET standard_conforming_strings = on
ar_touch: SET intervalstyle = iso_8601
ar_touch: SET SESSION timezone TO 'UTC'
ar_touch: SELECT "accounts".* FROM "accounts" WHERE "accounts"."id" = $1 LIMIT $2   -- args: 9, 1
ar_touch: BEGIN
ar_touch: UPDATE "accounts" SET "updated_at" = $1 WHERE "accounts"."id" = $2   -- args: '2026-11-25 18:47:31.204156', 9
ar_touch: COMMIT
