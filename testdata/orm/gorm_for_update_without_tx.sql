-- GORM: Clauses(clause.Locking{Strength: "UPDATE"}).First(&a, 8) outside a transaction, then Update.
-- The lock ends with the SELECT's implicit transaction: unsafe, RMW001.
-- Recorded from gorm.io/gorm v1.31.2 + gorm.io/driver/postgres v1.6.3 (pgx v5) through the proxy (internal/ormtraffic TestGORM).
-- setup: CREATE TABLE "accounts" ("id" bigint,"owner" text,"balance" bigint,"version" bigint NOT NULL DEFAULT 1,PRIMARY KEY ("id"))
-- setup: INSERT INTO accounts VALUES (8, 'owner8', 100, 1)
for_update_without_tx: SELECT * FROM "accounts" WHERE "accounts"."id" = $1 ORDER BY "accounts"."id" LIMIT $2 FOR UPDATE   -- args: 8, 1
for_update_without_tx: begin
for_update_without_tx: UPDATE "accounts" SET "balance"=$1 WHERE "id" = $2   -- args: 250, 8   -- want RMW001 /balance of row id=8/
for_update_without_tx: commit
