-- Prisma interactive transaction: $transaction(async tx => { tx.$queryRaw`SELECT ... FOR UPDATE`;
-- tx.user.update({data: {credits: row.credits + 150}}) }). Safe: locked until COMMIT.
-- Not recorded (Prisma downloads its query-engine binary, not possible here): the statement shapes of
-- Prisma 5 (quaint/tokio-postgres, extended protocol), written from its query logs in the docs and issues.
-- setup: CREATE TABLE "User" (id serial PRIMARY KEY, email text UNIQUE NOT NULL, credits integer NOT NULL DEFAULT 0)
-- setup: INSERT INTO "User" VALUES (8, 'kim@example.com', 100)
px: BEGIN
px: SELECT id, credits FROM "User" WHERE id = $1 FOR UPDATE   -- args: 8
px: UPDATE "public"."User" SET "credits" = $1 WHERE ("public"."User"."id" = $2 AND 1=1) RETURNING "public"."User"."id", "public"."User"."email", "public"."User"."credits"   -- args: 250, 8
px: COMMIT
