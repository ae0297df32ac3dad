-- Sequelize: two handlers findByPk(7) (balance 100); a saves 250, b saves 500. A real lost update.
-- Recorded from sequelize 6.37.8 + pg 8.23.1 through the proxy (internal/ormtraffic TestExternalORMs, node/sequelize.js).
-- Catalog and type-introspection queries the ORM sent at connect are left out (kept in the *_naive_save fixture).
-- setup: CREATE TABLE "Accounts" ("id" INTEGER , "owner" VARCHAR(255), "balance" INTEGER, "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL, "updatedAt" TIMESTAMP WITH TIME ZONE NOT NULL, PRIMARY KEY ("id"))
-- setup: CREATE TABLE "Wallets" ("id" INTEGER , "owner" VARCHAR(255), "balance" INTEGER, "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL, "updatedAt" TIMESTAMP WITH TIME ZONE NOT NULL, "version" INTEGER NOT NULL DEFAULT 0, PRIMARY KEY ("id"))
-- setup: INSERT INTO "Accounts" ("id","owner","balance","createdAt","updatedAt") VALUES (7, 'owner7', 100, now(), now())
seq_race_a: SET client_min_messages TO warning
seq_race_a: SET TIME ZONE INTERVAL '+00:00' HOUR TO MINUTE
seq_race_b: SET client_min_messages TO warning
seq_race_b: SET TIME ZONE INTERVAL '+00:00' HOUR TO MINUTE
seq_race_b: SET client_min_messages TO warning
seq_race_b: SET TIME ZONE INTERVAL '+00:00' HOUR TO MINUTE
seq_race_b: SELECT "id", "owner", "balance", "createdAt", "updatedAt" FROM "Accounts" AS "Account" WHERE "Account"."id" = 7;
seq_race_a: SET client_min_messages TO warning
seq_race_a: SET TIME ZONE INTERVAL '+00:00' HOUR TO MINUTE
seq_race_a: SELECT "id", "owner", "balance", "createdAt", "updatedAt" FROM "Accounts" AS "Account" WHERE "Account"."id" = 7;
seq_race_a: UPDATE "Accounts" SET "balance"=$1,"updatedAt"=$2 WHERE "id" = $3   -- args: 250, '2026-11-25 18:47:29.501 +00:00', 7   -- want RMW001
seq_race_b: UPDATE "Accounts" SET "balance"=$1,"updatedAt"=$2 WHERE "id" = $3   -- args: 500, '2026-11-25 18:47:29.502 +00:00', 7   -- want RMW001   -- want RMW006 /seq_race_a's write \(committed first\) was overwritten/
