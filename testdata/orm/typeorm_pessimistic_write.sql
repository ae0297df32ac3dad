-- TypeORM: manager.transaction(m => { m.findOne(Account, {where: {id: 4}, lock: {mode: "pessimistic_write"}}); save }).
-- Safe: FOR UPDATE inside the transaction (save() re-reads the row, still under the lock).
-- Recorded from typeorm 0.3.31 + pg 8.23.1 through the proxy (internal/ormtraffic TestExternalORMs, node/typeorm.js). All statements use $n parameters (extended protocol, unnamed).
-- Catalog and type-introspection queries the ORM sent at connect are left out (kept in the *_naive_save fixture).
-- setup: CREATE TABLE "account" ("id" integer NOT NULL, "owner" character varying NOT NULL, "balance" integer NOT NULL, CONSTRAINT "PK_account" PRIMARY KEY ("id"))
-- setup: CREATE TABLE "post" ("id" integer NOT NULL, "title" character varying NOT NULL, "balance" integer NOT NULL, "version" integer NOT NULL, CONSTRAINT "PK_post" PRIMARY KEY ("id"))
-- setup: INSERT INTO account VALUES (4, 'owner4', 100)
to_pessimistic_write: START TRANSACTION
to_pessimistic_write: SELECT "Account"."id" AS "Account_id", "Account"."owner" AS "Account_owner", "Account"."balance" AS "Account_balance" FROM "account" "Account" WHERE (("Account"."id" = $1)) LIMIT 1 FOR UPDATE   -- args: 4
to_pessimistic_write: SELECT "Account"."id" AS "Account_id", "Account"."owner" AS "Account_owner", "Account"."balance" AS "Account_balance" FROM "account" "Account" WHERE "Account"."id" IN ($1)   -- args: 4
to_pessimistic_write: UPDATE "account" SET "balance" = $1 WHERE "id" IN ($2)   -- args: 250, 4
to_pessimistic_write: COMMIT
