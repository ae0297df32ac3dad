-- ActiveRecord: a = Account.find(2); a.update_column(:balance, a.balance + 150). Unsafe: RMW001.
-- Recorded from ActiveRecord 6.1.7 + ruby-pg 1.4.5 through the proxy (internal/ormtraffic TestExternalORMs, ruby/activerecord_cases.rb). Prepared statements (extended protocol, named a1, a2, ...).
-- Catalog and type-introspection queries the ORM sent at connect are left out (kept in the *_naive_save fixture).
-- setup: CREATE TABLE "accounts" ("id" bigserial primary key, "owner" character varying, "balance" integer, "created_at" timestamp(6) NOT NULL, "updated_at" timestamp(6) NOT NULL)
-- setup: CREATE TABLE "wallets" ("id" bigserial primary key, "owner" character varying, "balance" integer, "lock_version" integer DEFAULT 0 NOT NULL, "created_at" timestamp(6) NOT NULL, "updated_at" timestamp(6) NOT NULL)
-- setup: INSERT INTO accounts (id, owner, balance, created_at, updated_at) VALUES (2, 'owner2', 100, now(), now())
ar_update_column: SET client_min_messages TO 'warning'
ar_update_column: SET standard_conforming_strings = on
ar_update_column: SET intervalstyle = iso_8601
ar_update_column: SET SESSION timezone TO 'UTC'
ar_update_column: SELECT "accounts".* FROM "accounts" WHERE "accounts"."id" = $1 LIMIT $2   -- args: 2, 1
ar_update_column: UPDATE "accounts" SET "balance" = $1 WHERE "accounts"."id" = $2   -- args: 250, 2   -- want RMW001 /balance of row id=2/
