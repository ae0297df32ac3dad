-- TypeORM @VersionColumn does not protect: both handlers read version 1 and balance 100; a saves 250;
-- b's save() re-reads the row (balance 250, version 2), then writes its stale entity back:
-- "balance" = 500, "version" = 1 (the version is rewound, not checked). A real lost update: 650 owed, 500 stored.
-- Recorded from typeorm 0.3.31 + pg 8.23.1 through the proxy (internal/ormtraffic TestExternalORMs, node/typeorm.js). All statements use $n parameters (extended protocol, unnamed).
-- Catalog and type-introspection queries the ORM sent at connect are left out (kept in the *_naive_save fixture).
-- setup: CREATE TABLE "account" ("id" integer NOT NULL, "owner" character varying NOT NULL, "balance" integer NOT NULL, CONSTRAINT "PK_account" PRIMARY KEY ("id"))
-- setup: CREATE TABLE "post" ("id" integer NOT NULL, "title" character varying NOT NULL, "balance" integer NOT NULL, "version" integer NOT NULL, CONSTRAINT "PK_post" PRIMARY KEY ("id"))
-- setup: INSERT INTO post VALUES (6, 'p6', 100, 1)
to_version_race_a: SELECT "Post"."id" AS "Post_id", "Post"."title" AS "Post_title", "Post"."balance" AS "Post_balance", "Post"."version" AS "Post_version" FROM "post" "Post" WHERE (("Post"."id" = $1)) LIMIT 1   -- args: 6
to_version_race_b: SELECT "Post"."id" AS "Post_id", "Post"."title" AS "Post_title", "Post"."balance" AS "Post_balance", "Post"."version" AS "Post_version" FROM "post" "Post" WHERE (("Post"."id" = $1)) LIMIT 1   -- args: 6
to_version_race_a: SELECT "Post"."id" AS "Post_id", "Post"."title" AS "Post_title", "Post"."balance" AS "Post_balance", "Post"."version" AS "Post_version" FROM "post" "Post" WHERE "Post"."id" IN ($1)   -- args: 6
to_version_race_a: START TRANSACTION
to_version_race_a: UPDATE "post" SET "balance" = $1, "version" = "version" + 1 WHERE "id" IN ($2) RETURNING "version"   -- args: 250, 6   -- want RMW001   -- want RMW002
to_version_race_a: COMMIT
to_version_race_b: SELECT "Post"."id" AS "Post_id", "Post"."title" AS "Post_title", "Post"."balance" AS "Post_balance", "Post"."version" AS "Post_version" FROM "post" "Post" WHERE "Post"."id" IN ($1)   -- args: 6
to_version_race_b: START TRANSACTION
to_version_race_b: UPDATE "post" SET "balance" = $1, "version" = $2 WHERE "id" IN ($3) RETURNING "version"   -- args: 500, 1, 6   -- want RMW001
to_version_race_b: COMMIT   -- want RMW006 /to_version_race_a's write \(committed first\) was overwritten/
