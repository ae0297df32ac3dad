-- Sequelize {version: true}: both read version 0; b's save() matches no row and throws OptimisticLockError;
-- b re-reads and saves again. Healthy: nothing is lost (650 stored), no finding.
-- Recorded from sequelize 6.37.8 + pg 8.23.1 through the proxy (internal/ormtraffic TestExternalORMs, node/sequelize.js).
-- Catalog and type-introspection queries the ORM sent at connect are left out (kept in the *_naive_save fixture).
-- setup: CREATE TABLE "Accounts" ("id" INTEGER , "owner" VARCHAR(255), "balance" INTEGER, "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL, "updatedAt" TIMESTAMP WITH TIME ZONE NOT NULL, PRIMARY KEY ("id"))
-- setup: CREATE TABLE "Wallets" ("id" INTEGER , "owner" VARCHAR(255), "balance" INTEGER, "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL, "updatedAt" TIMESTAMP WITH TIME ZONE NOT NULL, "version" INTEGER NOT NULL DEFAULT 0, PRIMARY KEY ("id"))
-- setup: INSERT INTO "Wallets" ("id","owner","balance","createdAt","updatedAt") VALUES (6, 'owner6', 100, now(), now())
seq_version_retry_a: SET client_min_messages TO warning
seq_version_retry_a: SET TIME ZONE INTERVAL '+00:00' HOUR TO MINUTE
seq_version_retry_a: SET client_min_messages TO warning
seq_version_retry_a: SET TIME ZONE INTERVAL '+00:00' HOUR TO MINUTE
seq_version_retry_a: SELECT "id", "owner", "balance", "createdAt", "updatedAt", "version" FROM "Wallets" AS "Wallet" WHERE "Wallet"."id" = 6;
seq_version_retry_b: SET client_min_messages TO warning
seq_version_retry_b: SET TIME ZONE INTERVAL '+00:00' HOUR TO MINUTE
seq_version_retry_b: SET client_min_messages TO warning
seq_version_retry_b: SET TIME ZONE INTERVAL '+00:00' HOUR TO MINUTE
seq_version_retry_b: SELECT "id", "owner", "balance", "createdAt", "updatedAt", "version" FROM "Wallets" AS "Wallet" WHERE "Wallet"."id" = 6;
seq_version_retry_a: UPDATE "Wallets" SET "balance"=$1,"updatedAt"=$2,"version"=$3 WHERE "id" = $4 AND "version" = $5   -- args: 250, '2026-11-25 18:47:29.420 +00:00', 1, 6, 0
seq_version_retry_b: UPDATE "Wallets" SET "balance"=$1,"updatedAt"=$2,"version"=$3 WHERE "id" = $4 AND "version" = $5   -- args: 500, '2026-11-25 18:47:29.421 +00:00', 1, 6, 0
seq_version_retry_b: SELECT "id", "owner", "balance", "createdAt", "updatedAt", "version" FROM "Wallets" AS "Wallet" WHERE "Wallet"."id" = 6;
seq_version_retry_b: UPDATE "Wallets" SET "balance"=$1,"updatedAt"=$2,"version"=$3 WHERE "id" = $4 AND "version" = $5   -- args: 650, '2026-11-25 18:47:29.423 +00:00', 2, 6, 1
