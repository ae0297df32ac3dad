-- TypeORM: a = await repo.findOneBy({id: 1}); a.balance += 150; await repo.save(a).
-- save() re-reads the row by id, then UPDATEs in its own transaction. Unsafe: RMW001.
-- Recorded from typeorm 0.3.31 + pg 8.23.1 through the proxy (internal/ormtraffic TestExternalORMs, node/typeorm.js). All statements use $n parameters (extended protocol, unnamed).
-- setup: CREATE TABLE "account" ("id" integer NOT NULL, "owner" character varying NOT NULL, "balance" integer NOT NULL, CONSTRAINT "PK_account" PRIMARY KEY ("id"))
-- setup: CREATE TABLE "post" ("id" integer NOT NULL, "title" character varying NOT NULL, "balance" integer NOT NULL, "version" integer NOT NULL, CONSTRAINT "PK_post" PRIMARY KEY ("id"))
-- setup: INSERT INTO account VALUES (1, 'owner1', 100)
to_naive_save: SELECT version()
to_naive_save: SELECT * FROM current_schema()
to_naive_save: SELECT "Account"."id" AS "Account_id", "Account"."owner" AS "Account_owner", "Account"."balance" AS "Account_balance" FROM "account" "Account" WHERE (("Account"."id" = $1)) LIMIT 1   -- args: 1
to_naive_save: SELECT "Account"."id" AS "Account_id", "Account"."owner" AS "Account_owner", "Account"."balance" AS "Account_balance" FROM "account" "Account" WHERE "Account"."id" IN ($1)   -- args: 1
to_naive_save: START TRANSACTION
to_naive_save: UPDATE "account" SET "balance" = $1 WHERE "id" IN ($2)   -- args: 250, 1   -- want RMW001 /account.balance of row id=1/
to_naive_save: COMMIT
