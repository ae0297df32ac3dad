-- Sequelize: transaction + lock: t.LOCK.KEY_SHARE: FOR KEY SHARE does not stop other UPDATEs of the balance. Unsafe: RMW001.
-- Recorded from sequelize 6.37.8 + pg 8.23.1 through the proxy (internal/ormtraffic TestExternalORMs, node/sequelize.js).
-- Catalog and type-introspection queries the ORM sent at connect are left out (kept in the *_naive_save fixture).
-- setup: CREATE TABLE "Accounts" ("id" INTEGER , "owner" VARCHAR(255), "balance" INTEGER, "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL, "updatedAt" TIMESTAMP WITH TIME ZONE NOT NULL, PRIMARY KEY ("id"))
-- setup: CREATE TABLE "Wallets" ("id" INTEGER , "owner" VARCHAR(255), "balance" INTEGER, "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL, "updatedAt" TIMESTAMP WITH TIME ZONE NOT NULL, "version" INTEGER NOT NULL DEFAULT 0, PRIMARY KEY ("id"))
-- setup: INSERT INTO "Accounts" ("id","owner","balance","createdAt","updatedAt") VALUES (8, 'owner8', 100, now(), now())
seq_key_share: SET client_min_messages TO warning
seq_key_share: SET TIME ZONE INTERVAL '+00:00' HOUR TO MINUTE
seq_key_share: SET client_min_messages TO warning
seq_key_share: SET TIME ZONE INTERVAL '+00:00' HOUR TO MINUTE
seq_key_share: START TRANSACTION;
seq_key_share: SELECT "id", "owner", "balance", "createdAt", "updatedAt" FROM "Accounts" AS "Account" WHERE "Account"."id" = 8 FOR KEY SHARE;
seq_key_share: UPDATE "Accounts" SET "balance"=$1,"updatedAt"=$2 WHERE "id" = $3   -- args: 250, '2026-11-25 18:47:29.439 +00:00', 8   -- want RMW001 /balance.* of row id=8/
seq_key_share: COMMIT;
