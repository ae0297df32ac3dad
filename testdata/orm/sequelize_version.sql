-- Sequelize: model option {version: true}; findByPk(5); save().
-- Safe: SET ..., "version"=$3 WHERE "id" = $4 AND "version" = $5 (Sequelize checks the row count).
-- Recorded from sequelize 6.37.8 + pg 8.23.1 through the proxy (internal/ormtraffic TestExternalORMs, node/sequelize.js).
-- Catalog and type-introspection queries the ORM sent at connect are left out (kept in the *_naive_save fixture).
-- setup: CREATE TABLE "Accounts" ("id" INTEGER , "owner" VARCHAR(255), "balance" INTEGER, "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL, "updatedAt" TIMESTAMP WITH TIME ZONE NOT NULL, PRIMARY KEY ("id"))
-- setup: CREATE TABLE "Wallets" ("id" INTEGER , "owner" VARCHAR(255), "balance" INTEGER, "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL, "updatedAt" TIMESTAMP WITH TIME ZONE NOT NULL, "version" INTEGER NOT NULL DEFAULT 0, PRIMARY KEY ("id"))
-- setup: INSERT INTO "Wallets" ("id","owner","balance","createdAt","updatedAt") VALUES (5, 'owner5', 100, now(), now())
seq_version: SET client_min_messages TO warning
seq_version: SET TIME ZONE INTERVAL '+00:00' HOUR TO MINUTE
seq_version: SET client_min_messages TO warning
seq_version: SET TIME ZONE INTERVAL '+00:00' HOUR TO MINUTE
seq_version: SELECT "id", "owner", "balance", "createdAt", "updatedAt", "version" FROM "Wallets" AS "Wallet" WHERE "Wallet"."id" = 5;
seq_version: UPDATE "Wallets" SET "balance"=$1,"updatedAt"=$2,"version"=$3 WHERE "id" = $4 AND "version" = $5   -- args: 250, '2026-11-25 18:47:29.394 +00:00', 1, 5, 0
