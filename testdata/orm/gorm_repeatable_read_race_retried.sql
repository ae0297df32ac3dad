-- GORM, both writers in REPEATABLE READ: rr_race_b's UPDATE waits on rr_race_a's row lock, fails with 40001 when
-- rr_race_a commits, and the code runs its transaction again (re-read 250, write 650). Healthy: nothing lost.
-- rr_race_a held its row lock while rr_race_b waited: RMW004.
-- Recorded from gorm.io/gorm v1.31.2 + gorm.io/driver/postgres v1.6.3 (pgx v5) through the proxy (internal/ormtraffic TestGORM).
-- setup: CREATE TABLE "accounts" ("id" bigint,"owner" text,"balance" bigint,"version" bigint NOT NULL DEFAULT 1,PRIMARY KEY ("id"))
-- setup: INSERT INTO accounts VALUES (18, 'owner18', 100, 1)
rr_race_b: begin isolation level repeatable read
rr_race_a: begin isolation level repeatable read
rr_race_a: SELECT * FROM "accounts" WHERE "accounts"."id" = $1 ORDER BY "accounts"."id" LIMIT $2   -- args: 18, 1
rr_race_b: SELECT * FROM "accounts" WHERE "accounts"."id" = $1 ORDER BY "accounts"."id" LIMIT $2   -- args: 18, 1
rr_race_a: UPDATE "accounts" SET "balance"=$1 WHERE "id" = $2   -- args: 250, 18
rr_race_b: UPDATE "accounts" SET "balance"=$1 WHERE "id" = $2   -- args: 500, 18   -- blocks   -- error 40001
rr_race_a: commit   -- want RMW004
rr_race_b: rollback
rr_race_b: begin isolation level repeatable read
rr_race_b: SELECT * FROM "accounts" WHERE "accounts"."id" = $1 ORDER BY "accounts"."id" LIMIT $2   -- args: 18, 1
rr_race_b: UPDATE "accounts" SET "balance"=$1 WHERE "id" = $2   -- args: 650, 18
rr_race_b: commit
