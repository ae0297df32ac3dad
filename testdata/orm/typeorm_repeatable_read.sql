-- TypeORM: manager.transaction("REPEATABLE READ", ...): START TRANSACTION; SET TRANSACTION ISOLATION LEVEL REPEATABLE READ. Safe.
-- Recorded from typeorm 0.3.31 + pg 8.23.1 through the proxy (internal/ormtraffic TestExternalORMs, node/typeorm.js). All statements use $n parameters (extended protocol, unnamed).
-- Catalog and type-introspection queries the ORM sent at connect are left out (kept in the *_naive_save fixture).
-- setup: CREATE TABLE "account" ("id" integer NOT NULL, "owner" character varying NOT NULL, "balance" integer NOT NULL, CONSTRAINT "PK_account" PRIMARY KEY ("id"))
-- setup: CREATE TABLE "post" ("id" integer NOT NULL, "title" character varying NOT NULL, "balance" integer NOT NULL, "version" integer NOT NULL, CONSTRAINT "PK_post" PRIMARY KEY ("id"))
-- setup: INSERT INTO account VALUES (7, 'owner7', 100)
to_repeatable_read: START TRANSACTION
to_repeatable_read: SET TRANSACTION ISOLATION LEVEL REPEATABLE READ
to_repeatable_read: SELECT "Account"."id" AS "Account_id", "Account"."owner" AS "Account_owner", "Account"."balance" AS "Account_balance" FROM "account" "Account" WHERE (("Account"."id" = $1)) LIMIT 1   -- args: 7
to_repeatable_read: SELECT "Account"."id" AS "Account_id", "Account"."owner" AS "Account_owner", "Account"."balance" AS "Account_balance" FROM "account" "Account" WHERE "Account"."id" IN ($1)   -- args: 7
to_repeatable_read: UPDATE "account" SET "balance" = $1 WHERE "id" IN ($2)   -- args: 250, 7
to_repeatable_read: COMMIT
