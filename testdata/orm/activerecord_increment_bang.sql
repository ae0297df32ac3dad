-- ActiveRecord: Account.find(3).increment!(:balance, 150): SET "balance" = COALESCE("balance", 0) + $1. Safe.
-- Recorded from ActiveRecord 6.1.7 + ruby-pg 1.4.5 through the proxy (internal/ormtraffic TestExternalORMs, ruby/activerecord_cases.rb). Prepared statements (extended protocol, named a1, a2, ...).
-- Catalog and type-introspection queries the ORM sent at connect are left out (kept in the *_naive_save fixture).
-- setup: CREATE TABLE "accounts" ("id" bigserial primary key, "owner" character varying, "balance" integer, "created_at" timestamp(6) NOT NULL, "updated_at" timestamp(6) NOT NULL)
-- setup: CREATE TABLE "wallets" ("id" bigserial primary key, "owner" character varying, "balance" integer, "lock_version" integer DEFAULT 0 NOT NULL, "created_at" timestamp(6) NOT NULL, "updated_at" timestamp(6) NOT NULL)
-- setup: INSERT INTO accounts (id, owner, balance, created_at, updated_at) VALUES (3, 'owner3', 100, now(), now())
ar_increment_bang: SET client_min_messages TO 'warning'
ar_increment_bang: SET standard_conforming_strings = on
ar_increment_bang: SET intervalstyle = iso_8601
ar_increment_bang: SET SESSION timezone TO 'UTC'
ar_increment_bang: SELECT "accounts".* FROM "accounts" WHERE "accounts"."id" = $1 LIMIT $2   -- args: 3, 1
ar_increment_bang: UPDATE "accounts" SET "balance" = COALESCE("balance", 0) + $1 WHERE "accounts"."id" = $2   -- args: 150, 3
