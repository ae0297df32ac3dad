-- Unsafe twice: TypeORM @VersionColumn bumps the version without checking it (RMW002),
-- and the title read is written back unguarded (RMW001). Columns are aliased.
-- setup: CREATE TABLE post (id int PRIMARY KEY, title varchar, version int NOT NULL DEFAULT 1);
-- setup: INSERT INTO post VALUES (7, 'draft', 1);
api: SELECT "Post"."id" AS "Post_id", "Post"."title" AS "Post_title", "Post"."version" AS "Post_version" FROM "post" "Post" WHERE "Post"."id" IN ($1)   -- args: 7
api: UPDATE "post" SET "title" = $1, "version" = "version" + 1 WHERE "id" IN ($2)   -- args: 'final', 7   -- want RMW002 /advances version without checking/   -- want RMW001 /post.title/
