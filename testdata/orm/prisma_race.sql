-- Prisma: two requests findUnique the user (credits 100), then each update()s credits to its own sum:
-- 250, then 500. A real lost update (650 owed).
-- Not recorded (Prisma downloads its query-engine binary, not possible here): the statement shapes of
-- Prisma 5 (quaint/tokio-postgres, extended protocol), written from its query logs in the docs and issues.
-- setup: CREATE TABLE "User" (id serial PRIMARY KEY, email text UNIQUE NOT NULL, credits integer NOT NULL DEFAULT 0)
-- setup: INSERT INTO "User" VALUES (8, 'kim@example.com', 100)
a: SELECT "public"."User"."id", "public"."User"."email", "public"."User"."credits" FROM "public"."User" WHERE ("public"."User"."id" = $1 AND 1=1) LIMIT $2 OFFSET $3   -- args: 8, 1, 0
b: SELECT "public"."User"."id", "public"."User"."email", "public"."User"."credits" FROM "public"."User" WHERE ("public"."User"."id" = $1 AND 1=1) LIMIT $2 OFFSET $3   -- args: 8, 1, 0
a: UPDATE "public"."User" SET "credits" = $1 WHERE ("public"."User"."id" = $2 AND 1=1) RETURNING "public"."User"."id", "public"."User"."email", "public"."User"."credits"   -- args: 250, 8   -- want RMW001
b: UPDATE "public"."User" SET "credits" = $1 WHERE ("public"."User"."id" = $2 AND 1=1) RETURNING "public"."User"."id", "public"."User"."email", "public"."User"."credits"   -- args: 500, 8   -- want RMW001   -- want RMW006 /a's write \(committed first\) was overwritten/
