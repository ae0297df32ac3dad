-- Unsafe: Prisma with schema-qualified quoted names and RETURNING.
-- setup: CREATE TABLE "User" (id int PRIMARY KEY, credits int);
-- setup: INSERT INTO "User" VALUES (8, 3);
px: SELECT "public"."User"."id", "public"."User"."credits" FROM "public"."User" WHERE ("public"."User"."id" = $1 AND 1=1) LIMIT $2 OFFSET $3   -- args: 8, 1, 0
px: UPDATE "public"."User" SET "credits" = $1 WHERE ("public"."User"."id" = $2 AND 1=1) RETURNING "public"."User"."id", "public"."User"."credits"   -- args: 2, 8   -- want RMW001 /User.credits of row id=8/
