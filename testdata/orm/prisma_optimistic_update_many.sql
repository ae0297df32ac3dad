-- Prisma's documented optimistic concurrency control: updateMany({where: {id, version},
-- data: {claimedBy, version: {increment: 1}}}) and a check of the returned count. Safe.
-- Not recorded (Prisma downloads its query-engine binary, not possible here): the statement shapes of
-- Prisma 5 (quaint/tokio-postgres, extended protocol), written from its query logs in the docs and issues.
-- setup: CREATE TABLE "Seat" (id serial PRIMARY KEY, "movieId" integer NOT NULL, "claimedById" integer, version integer NOT NULL DEFAULT 0)
-- setup: INSERT INTO "Seat" VALUES (3, 1, NULL, 0)
px: SELECT "public"."Seat"."id", "public"."Seat"."movieId", "public"."Seat"."claimedById", "public"."Seat"."version" FROM "public"."Seat" WHERE ("public"."Seat"."movieId" = $1 AND "public"."Seat"."claimedById" IS NULL) LIMIT $2 OFFSET $3   -- args: 1, 1, 0
px: UPDATE "public"."Seat" SET "claimedById" = $1, "version" = ("public"."Seat"."version" + $2) WHERE ("public"."Seat"."id" = $3 AND "public"."Seat"."version" = $4)   -- args: 42, 1, 3, 0
