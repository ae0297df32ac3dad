-- GORM: First(&a, 2); db.Model(&a).Update("balance", a.Balance+150).
-- Unsafe: RMW001.
-- Recorded from gorm.io/gorm v1.31.2 + gorm.io/driver/postgres v1.6.3 (pgx v5) through the proxy (internal/ormtraffic TestGORM).
-- setup: CREATE TABLE "accounts" ("id" bigint,"owner" text,"balance" bigint,"version" bigint NOT NULL DEFAULT 1,PRIMARY KEY ("id"))
-- setup: INSERT INTO accounts VALUES (2, 'owner2', 100, 1)
naive_update: SELECT * FROM "accounts" WHERE "accounts"."id" = $1 ORDER BY "accounts"."id" LIMIT $2   -- args: 2, 1
naive_update: begin
naive_update: UPDATE "accounts" SET "balance"=$1 WHERE "id" = $2   -- args: 250, 2   -- want RMW001 /accounts.balance of row id=2/
naive_update: commit
