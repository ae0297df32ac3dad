-- TypeORM QueryBuilder: setLock("pessimistic_write").getOne(), then update().set(...).execute() in a transaction. Safe.
-- Recorded from typeorm 0.3.31 + pg 8.23.1 through the proxy (internal/ormtraffic TestExternalORMs, node/typeorm.js). All statements use $n parameters (extended protocol, unnamed).
-- Catalog and type-introspection queries the ORM sent at connect are left out (kept in the *_naive_save fixture).
-- setup: CREATE TABLE "account" ("id" integer NOT NULL, "owner" character varying NOT NULL, "balance" integer NOT NULL, CONSTRAINT "PK_account" PRIMARY KEY ("id"))
-- setup: CREATE TABLE "post" ("id" integer NOT NULL, "title" character varying NOT NULL, "balance" integer NOT NULL, "version" integer NOT NULL, CONSTRAINT "PK_post" PRIMARY KEY ("id"))
-- setup: INSERT INTO account VALUES (8, 'owner8', 100)
to_query_builder_lock: START TRANSACTION
to_query_builder_lock: SELECT "a"."id" AS "a_id", "a"."owner" AS "a_owner", "a"."balance" AS "a_balance" FROM "account" "a" WHERE "a"."id" = $1 FOR UPDATE   -- args: 8
to_query_builder_lock: UPDATE "account" SET "balance" = $1 WHERE "id" = $2   -- args: 250, 8
to_query_builder_lock: COMMIT
