-- ActiveRecord: transaction { a = find(12); a.lock!; a.balance += 150; save! }: lock! reloads FOR UPDATE. Safe.
-- Recorded from ActiveRecord 6.1.7 + ruby-pg 1.4.5 through the proxy (internal/ormtraffic TestExternalORMs, ruby/activerecord_cases.rb). Prepared statements (extended protocol, named a1, a2, ...).
-- Catalog and type-introspection queries the ORM sent at connect are left out (kept in the *_naive_save fixture).
-- setup: CREATE TABLE "accounts" ("id" bigserial primary key, "owner" character varying, "balance" integer, "created_at" timestamp(6) NOT NULL, "updated_at" timestamp(6) NOT NULL)
-- setup: CREATE TABLE "wallets" ("id" bigserial primary key, "owner" character varying, "balance" integer, "lock_version" integer DEFAULT 0 NOT NULL, "created_at" timestamp(6) NOT NULL, "updated_at" timestamp(6) NOT NULL)
-- setup: INSERT INTO accounts (id, owner, balance, created_at, updated_at) VALUES (12, 'owner12', 100, now(), now())
ar_lock_bang: SET client_min_messages TO 'warning'
ar_lock_bang: SET standard_conforming_strings = on
ar_lock_bang: SET intervalstyle = iso_8601
ar_lock_bang: SET SESSION timezone TO 'UTC'
ar_lock_bang: BEGIN
ar_lock_bang: SELECT "accounts".* FROM "accounts" WHERE "accounts"."id" = $1 LIMIT $2   -- args: 12, 1
ar_lock_bang: SELECT "accounts".* FROM "accounts" WHERE "accounts"."id" = $1 LIMIT $2 FOR UPDATE   -- args: 12, 1
ar_lock_bang: UPDATE "accounts" SET "balance" = $1, "updated_at" = $2 WHERE "accounts"."id" = $3   -- args: 250, '2026-11-25 18:47:31.266845', 12
ar_lock_bang: COMMIT
