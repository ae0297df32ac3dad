-- Sequelize: a = await Account.findByPk(3); await a.increment("balance", {by: 150}).
-- Safe: "balance"="balance"+ 150. "updatedAt" is set to the current time, which does not depend on
-- the value read: overwriting a timestamp of the last change loses nothing.
-- Recorded from sequelize 6.37.8 + pg 8.23.1 through the proxy (internal/ormtraffic TestExternalORMs, node/sequelize.js).
-- Catalog and type-introspection queries the ORM sent at connect are left out (kept in the *_naive_save fixture).
-- setup: CREATE TABLE "Accounts" ("id" INTEGER , "owner" VARCHAR(255), "balance" INTEGER, "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL, "updatedAt" TIMESTAMP WITH TIME ZONE NOT NULL, PRIMARY KEY ("id"))
-- setup: CREATE TABLE "Wallets" ("id" INTEGER , "owner" VARCHAR(255), "balance" INTEGER, "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL, "updatedAt" TIMESTAMP WITH TIME ZONE NOT NULL, "version" INTEGER NOT NULL DEFAULT 0, PRIMARY KEY ("id"))
-- setup: INSERT INTO "Accounts" ("id","owner","balance","createdAt","updatedAt") VALUES (3, 'owner3', 100, now(), now())
seq_increment: SET client_min_messages TO warning
seq_increment: SET TIME ZONE INTERVAL '+00:00' HOUR TO MINUTE
seq_increment: SET client_min_messages TO warning
seq_increment: SET TIME ZONE INTERVAL '+00:00' HOUR TO MINUTE
seq_increment: SELECT "id", "owner", "balance", "createdAt", "updatedAt" FROM "Accounts" AS "Account" WHERE "Account"."id" = 3;
seq_increment: UPDATE "Accounts" SET "balance"="balance"+ 150,"updatedAt"='2026-11-25 18:47:29.361 +00:00' WHERE "id" = 3 RETURNING *
