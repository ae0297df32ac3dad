-- GORM: the race inside db.Transaction (READ COMMITTED): racetx_b's UPDATE waits on racetx_a's row lock,
-- then overwrites racetx_a's committed 250 with 500. RMW006; racetx_a held its lock while racetx_b waited (RMW004).
-- Recorded from gorm.io/gorm v1.31.2 + gorm.io/driver/postgres v1.6.3 (pgx v5) through the proxy (internal/ormtraffic TestGORM).
-- setup: CREATE TABLE "accounts" ("id" bigint,"owner" text,"balance" bigint,"version" bigint NOT NULL DEFAULT 1,PRIMARY KEY ("id"))
-- setup: INSERT INTO accounts VALUES (20, 'owner20', 100, 1)
racetx_b: begin
racetx_a: begin
racetx_a: SELECT * FROM "accounts" WHERE "accounts"."id" = $1 ORDER BY "accounts"."id" LIMIT $2   -- args: 20, 1
racetx_b: SELECT * FROM "accounts" WHERE "accounts"."id" = $1 ORDER BY "accounts"."id" LIMIT $2   -- args: 20, 1
racetx_a: UPDATE "accounts" SET "balance"=$1 WHERE "id" = $2   -- args: 250, 20   -- want RMW001
racetx_b: UPDATE "accounts" SET "balance"=$1 WHERE "id" = $2   -- args: 500, 20   -- blocks   -- want RMW001
racetx_a: commit   -- want RMW004
racetx_b: commit   -- want RMW006 /racetx_a's write \(committed first\) was overwritten/
