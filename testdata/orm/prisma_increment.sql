-- Prisma: update({where: {id: 8}, data: {credits: {increment: 150}}}). Safe: atomic.
-- Not recorded (Prisma downloads its query-engine binary, not possible here): the statement shapes of
-- Prisma 5 (quaint/tokio-postgres, extended protocol), written from its query logs in the docs and issues.
-- setup: CREATE TABLE "User" (id serial PRIMARY KEY, email text UNIQUE NOT NULL, credits integer NOT NULL DEFAULT 0)
-- setup: INSERT INTO "User" VALUES (8, 'kim@example.com', 100)
px: SELECT "public"."User"."id", "public"."User"."email", "public"."User"."credits" FROM "public"."User" WHERE ("public"."User"."id" = $1 AND 1=1) LIMIT $2 OFFSET $3   -- args: 8, 1, 0
px: UPDATE "public"."User" SET "credits" = ("public"."User"."credits" + $1) WHERE ("public"."User"."id" = $2 AND 1=1) RETURNING "public"."User"."id", "public"."User"."email", "public"."User"."credits"   -- args: 150, 8
