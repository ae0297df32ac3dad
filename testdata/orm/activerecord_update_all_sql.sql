-- ActiveRecord: find(13); where(id: 13).update_all("balance = balance + 150"). Safe: atomic.
-- Recorded from ActiveRecord 6.1.7 + ruby-pg 1.4.5 through the proxy (internal/ormtraffic TestExternalORMs, ruby/activerecord_cases.rb). Prepared statements (extended protocol, named a1, a2, ...).
-- Catalog and type-introspection queries the ORM sent at connect are left out (kept in the *_naive_save fixture).
-- setup: CREATE TABLE "accounts" ("id" bigserial primary key, "owner" character varying, "balance" integer, "created_at" timestamp(6) NOT NULL, "updated_at" timestamp(6) NOT NULL)
-- setup: CREATE TABLE "wallets" ("id" bigserial primary key, "owner" character varying, "balance" integer, "lock_version" integer DEFAULT 0 NOT NULL, "created_at" timestamp(6) NOT NULL, "updated_at" timestamp(6) NOT NULL)
-- setup: INSERT INTO accounts (id, owner, balance, created_at, updated_at) VALUES (13, 'owner13', 100, now(), now())
ar_update_all_sql: SET client_min_messages TO 'warning'
ar_update_all_sql: SET standard_conforming_strings = on
ar_update_all_sql: SET intervalstyle = iso_8601
ar_update_all_sql: SET SESSION timezone TO 'UTC'
ar_update_all_sql: SELECT "accounts".* FROM "accounts" WHERE "accounts"."id" = $1 LIMIT $2   -- args: 13, 1
ar_update_all_sql: UPDATE "accounts" SET balance = balance + 150 WHERE "accounts"."id" = $1   -- args: 13
