-- Prisma < 4.16 wrapped the same update in a transaction: select the id, UPDATE ... IN, re-read the row.
-- The in-transaction reads come after (or do not include) credits: still unsafe, RMW001.
-- Not recorded (Prisma downloads its query-engine binary, not possible here): the statement shapes of
-- Prisma 5 (quaint/tokio-postgres, extended protocol), written from its query logs in the docs and issues.
-- setup: CREATE TABLE "User" (id serial PRIMARY KEY, email text UNIQUE NOT NULL, credits integer NOT NULL DEFAULT 0)
-- setup: INSERT INTO "User" VALUES (8, 'kim@example.com', 100)
px: SELECT "public"."User"."id", "public"."User"."email", "public"."User"."credits" FROM "public"."User" WHERE ("public"."User"."id" = $1 AND 1=1) LIMIT $2 OFFSET $3   -- args: 8, 1, 0
px: BEGIN
px: SELECT "public"."User"."id" FROM "public"."User" WHERE ("public"."User"."id" = $1 AND 1=1)   -- args: 8
px: UPDATE "public"."User" SET "credits" = $1 WHERE "public"."User"."id" IN ($2)   -- args: 250, 8   -- want RMW001 /User.credits of row id=8/
px: SELECT "public"."User"."id", "public"."User"."email", "public"."User"."credits" FROM "public"."User" WHERE "public"."User"."id" = $1 LIMIT $2 OFFSET $3   -- args: 8, 1, 0
px: COMMIT
