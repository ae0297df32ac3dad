-- GORM: First(&a, 1); a.Balance += 150; db.Save(&a). Save writes every field back in its own transaction.
-- Unsafe: RMW001.
-- Recorded from gorm.io/gorm v1.31.2 + gorm.io/driver/postgres v1.6.3 (pgx v5) through the proxy (internal/ormtraffic TestGORM).
-- setup: CREATE TABLE "accounts" ("id" bigint,"owner" text,"balance" bigint,"version" bigint NOT NULL DEFAULT 1,PRIMARY KEY ("id"))
-- setup: INSERT INTO accounts VALUES (1, 'owner1', 100, 1)
naive_save: SELECT * FROM "accounts" WHERE "accounts"."id" = $1 ORDER BY "accounts"."id" LIMIT $2   -- args: 1, 1
naive_save: begin
naive_save: UPDATE "accounts" SET "owner"=$1,"balance"=$2,"version"=$3 WHERE "id" = $4   -- args: 'owner1', 250, 1, 1   -- want RMW001 /accounts\..*balance.* of row id=1/
naive_save: commit
