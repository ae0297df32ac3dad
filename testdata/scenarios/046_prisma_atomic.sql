-- Safe: Prisma { credits: { decrement: 1 } }.
-- setup: CREATE TABLE "User" (id int PRIMARY KEY, credits int);
-- setup: INSERT INTO "User" VALUES (8, 3);
px: SELECT "public"."User"."id", "public"."User"."credits" FROM "public"."User" WHERE "public"."User"."id" = $1 LIMIT $2 OFFSET $3   -- args: 8, 1, 0
px: UPDATE "public"."User" SET "credits" = ("public"."User"."credits" - $1) WHERE "public"."User"."id" = $2 RETURNING "public"."User"."id"   -- args: 1, 8
