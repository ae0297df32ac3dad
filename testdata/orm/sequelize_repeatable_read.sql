-- Sequelize: transaction({isolationLevel: REPEATABLE_READ}): START TRANSACTION; SET TRANSACTION ISOLATION LEVEL REPEATABLE READ. Safe.
-- Recorded from sequelize 6.37.8 + pg 8.23.1 through the proxy (internal/ormtraffic TestExternalORMs, node/sequelize.js).
-- Catalog and type-introspection queries the ORM sent at connect are left out (kept in the *_naive_save fixture).
-- setup: CREATE TABLE "Accounts" ("id" INTEGER , "owner" VARCHAR(255), "balance" INTEGER, "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL, "updatedAt" TIMESTAMP WITH TIME ZONE NOT NULL, PRIMARY KEY ("id"))
-- setup: CREATE TABLE "Wallets" ("id" INTEGER , "owner" VARCHAR(255), "balance" INTEGER, "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL, "updatedAt" TIMESTAMP WITH TIME ZONE NOT NULL, "version" INTEGER NOT NULL DEFAULT 0, PRIMARY KEY ("id"))
-- setup: INSERT INTO "Accounts" ("id","owner","balance","createdAt","updatedAt") VALUES (10, 'owner10', 100, now(), now())
seq_repeatable_read: SET client_min_messages TO warning
seq_repeatable_read: SET TIME ZONE INTERVAL '+00:00' HOUR TO MINUTE
seq_repeatable_read: SET client_min_messages TO warning
seq_repeatable_read: SET TIME ZONE INTERVAL '+00:00' HOUR TO MINUTE
seq_repeatable_read: START TRANSACTION;
seq_repeatable_read: SET TRANSACTION ISOLATION LEVEL REPEATABLE READ;
seq_repeatable_read: SELECT "id", "owner", "balance", "createdAt", "updatedAt" FROM "Accounts" AS "Account" WHERE "Account"."id" = 10;
seq_repeatable_read: UPDATE "Accounts" SET "balance"=$1,"updatedAt"=$2 WHERE "id" = $3   -- args: 250, '2026-11-25 18:47:29.469 +00:00', 10
seq_repeatable_read: COMMIT;
