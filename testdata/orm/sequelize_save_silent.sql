-- Sequelize: findByPk(11); balance += 150; save({silent: true}) (no updatedAt). Unsafe: RMW001.
-- Recorded from sequelize 6.37.8 + pg 8.23.1 through the proxy (internal/ormtraffic TestExternalORMs, node/sequelize.js).
-- Catalog and type-introspection queries the ORM sent at connect are left out (kept in the *_naive_save fixture).
-- setup: CREATE TABLE "Accounts" ("id" INTEGER , "owner" VARCHAR(255), "balance" INTEGER, "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL, "updatedAt" TIMESTAMP WITH TIME ZONE NOT NULL, PRIMARY KEY ("id"))
-- setup: CREATE TABLE "Wallets" ("id" INTEGER , "owner" VARCHAR(255), "balance" INTEGER, "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL, "updatedAt" TIMESTAMP WITH TIME ZONE NOT NULL, "version" INTEGER NOT NULL DEFAULT 0, PRIMARY KEY ("id"))
-- setup: INSERT INTO "Accounts" ("id","owner","balance","createdAt","updatedAt") VALUES (11, 'owner11', 100, now(), now())
seq_save_silent: SET client_min_messages TO warning
seq_save_silent: SET TIME ZONE INTERVAL '+00:00' HOUR TO MINUTE
seq_save_silent: SET client_min_messages TO warning
seq_save_silent: SET TIME ZONE INTERVAL '+00:00' HOUR TO MINUTE
seq_save_silent: SELECT "id", "owner", "balance", "createdAt", "updatedAt" FROM "Accounts" AS "Account" WHERE "Account"."id" = 11;
seq_save_silent: UPDATE "Accounts" SET "balance"=$1 WHERE "id" = $2   -- args: 250, 11   -- want RMW001 /Accounts.balance of row id=11/
