-- GORM: Select("id", "owner").First(&a, 11); Model(&Account{ID: 11}).Update("balance", 7).
-- Safe: balance was never read (blind write).
-- Recorded from gorm.io/gorm v1.31.2 + gorm.io/driver/postgres v1.6.3 (pgx v5) through the proxy (internal/ormtraffic TestGORM).
-- setup: CREATE TABLE "accounts" ("id" bigint,"owner" text,"balance" bigint,"version" bigint NOT NULL DEFAULT 1,PRIMARY KEY ("id"))
-- setup: INSERT INTO accounts VALUES (11, 'owner11', 100, 1)
blind_write: SELECT "id","owner" FROM "accounts" WHERE "accounts"."id" = $1 ORDER BY "accounts"."id" LIMIT $2   -- args: 11, 1
blind_write: begin
blind_write: UPDATE "accounts" SET "balance"=$1 WHERE "id" = $2   -- args: 7, 11
blind_write: commit
