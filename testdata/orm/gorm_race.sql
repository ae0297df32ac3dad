-- GORM: two goroutines with their own pools both First(&acc, 19) (balance 100), then race_a writes 250
-- and race_b writes 500 (autocommit). A real lost update: 650 was owed, 500 is stored.
-- Recorded from gorm.io/gorm v1.31.2 + gorm.io/driver/postgres v1.6.3 (pgx v5) through the proxy (internal/ormtraffic TestGORM).
-- setup: CREATE TABLE "accounts" ("id" bigint,"owner" text,"balance" bigint,"version" bigint NOT NULL DEFAULT 1,PRIMARY KEY ("id"))
-- setup: INSERT INTO accounts VALUES (19, 'owner19', 100, 1)
race_b: SELECT * FROM "accounts" WHERE "accounts"."id" = $1 ORDER BY "accounts"."id" LIMIT $2   -- args: 19, 1
race_a: SELECT * FROM "accounts" WHERE "accounts"."id" = $1 ORDER BY "accounts"."id" LIMIT $2   -- args: 19, 1
race_a: begin
race_a: UPDATE "accounts" SET "balance"=$1 WHERE "id" = $2   -- args: 250, 19   -- want RMW001
race_a: commit
race_b: begin
race_b: UPDATE "accounts" SET "balance"=$1 WHERE "id" = $2   -- args: 500, 19   -- want RMW001
race_b: commit   -- want RMW006 /race_a's write \(committed first\) was overwritten/
