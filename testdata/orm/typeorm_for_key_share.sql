-- TypeORM: findOne with lock {mode: "for_key_share"} then update() in a transaction. FOR KEY SHARE does not guard: RMW001.
-- Recorded from typeorm 0.3.31 + pg 8.23.1 through the proxy (internal/ormtraffic TestExternalORMs, node/typeorm.js). All statements use $n parameters (extended protocol, unnamed).
-- Catalog and type-introspection queries the ORM sent at connect are left out (kept in the *_naive_save fixture).
-- setup: CREATE TABLE "account" ("id" integer NOT NULL, "owner" character varying NOT NULL, "balance" integer NOT NULL, CONSTRAINT "PK_account" PRIMARY KEY ("id"))
-- setup: CREATE TABLE "post" ("id" integer NOT NULL, "title" character varying NOT NULL, "balance" integer NOT NULL, "version" integer NOT NULL, CONSTRAINT "PK_post" PRIMARY KEY ("id"))
-- setup: INSERT INTO account VALUES (9, 'owner9', 100)
to_for_key_share: START TRANSACTION
to_for_key_share: SELECT "Account"."id" AS "Account_id", "Account"."owner" AS "Account_owner", "Account"."balance" AS "Account_balance" FROM "account" "Account" WHERE (("Account"."id" = $1)) LIMIT 1 FOR KEY SHARE   -- args: 9
to_for_key_share: UPDATE "account" SET "balance" = $1 WHERE "id" = $2   -- args: 250, 9   -- want RMW001 /balance of row id=9/
to_for_key_share: COMMIT
