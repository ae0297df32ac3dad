-- Sequelize: a = await Account.findByPk(1); a.balance += 150; await a.save().
-- Unsafe: RMW001.
-- Recorded from sequelize 6.37.8 + pg 8.23.1 through the proxy (internal/ormtraffic TestExternalORMs, node/sequelize.js).
-- setup: CREATE TABLE "Accounts" ("id" INTEGER , "owner" VARCHAR(255), "balance" INTEGER, "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL, "updatedAt" TIMESTAMP WITH TIME ZONE NOT NULL, PRIMARY KEY ("id"))
-- setup: CREATE TABLE "Wallets" ("id" INTEGER , "owner" VARCHAR(255), "balance" INTEGER, "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL, "updatedAt" TIMESTAMP WITH TIME ZONE NOT NULL, "version" INTEGER NOT NULL DEFAULT 0, PRIMARY KEY ("id"))
-- setup: INSERT INTO "Accounts" ("id","owner","balance","createdAt","updatedAt") VALUES (1, 'owner1', 100, now(), now())
seq_naive_save: SET client_min_messages TO warning
seq_naive_save: SET TIME ZONE INTERVAL '+00:00' HOUR TO MINUTE
seq_naive_save: WITH ranges AS ( SELECT pg_range.rngtypid, pg_type.typname AS rngtypname, pg_type.typarray AS rngtyparray, pg_range.rngsubtype FROM pg_range LEFT OUTER JOIN pg_type ON pg_type.oid = pg_range.rngtypid)SELECT pg_type.typname, pg_type.typtype, pg_type.oid, pg_type.typarray, ranges.rngtypname, ranges.rngtypid, ranges.rngtyparray FROM pg_type LEFT OUTER JOIN ranges ON pg_type.oid = ranges.rngsubtype WHERE (pg_type.typtype IN('b', 'e'));
seq_naive_save: SET client_min_messages TO warning
seq_naive_save: SET TIME ZONE INTERVAL '+00:00' HOUR TO MINUTE
seq_naive_save: SELECT "id", "owner", "balance", "createdAt", "updatedAt" FROM "Accounts" AS "Account" WHERE "Account"."id" = 1;
seq_naive_save: UPDATE "Accounts" SET "balance"=$1,"updatedAt"=$2 WHERE "id" = $3   -- args: 250, '2026-11-25 18:47:29.330 +00:00', 1   -- want RMW001 /Accounts\..*balance.* of row id=1/
