-- TypeORM: version column (@VersionColumn); findOneBy({id: 5}); balance += 150; save().
-- The UPDATE bumps "version" = "version" + 1 but never checks it: RMW002, and the write is unguarded: RMW001.
-- Recorded from typeorm 0.3.31 + pg 8.23.1 through the proxy (internal/ormtraffic TestExternalORMs, node/typeorm.js). All statements use $n parameters (extended protocol, unnamed).
-- Catalog and type-introspection queries the ORM sent at connect are left out (kept in the *_naive_save fixture).
-- setup: CREATE TABLE "account" ("id" integer NOT NULL, "owner" character varying NOT NULL, "balance" integer NOT NULL, CONSTRAINT "PK_account" PRIMARY KEY ("id"))
-- setup: CREATE TABLE "post" ("id" integer NOT NULL, "title" character varying NOT NULL, "balance" integer NOT NULL, "version" integer NOT NULL, CONSTRAINT "PK_post" PRIMARY KEY ("id"))
-- setup: INSERT INTO post VALUES (5, 'p5', 100, 1)
to_version_column: SELECT "Post"."id" AS "Post_id", "Post"."title" AS "Post_title", "Post"."balance" AS "Post_balance", "Post"."version" AS "Post_version" FROM "post" "Post" WHERE (("Post"."id" = $1)) LIMIT 1   -- args: 5
to_version_column: SELECT "Post"."id" AS "Post_id", "Post"."title" AS "Post_title", "Post"."balance" AS "Post_balance", "Post"."version" AS "Post_version" FROM "post" "Post" WHERE "Post"."id" IN ($1)   -- args: 5
to_version_column: START TRANSACTION
to_version_column: UPDATE "post" SET "balance" = $1, "version" = "version" + 1 WHERE "id" IN ($2) RETURNING "version"   -- args: 250, 5   -- want RMW001   -- want RMW002 /advances version without checking/
to_version_column: COMMIT
