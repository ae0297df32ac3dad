-- GORM: Transaction with clause.Locking{Strength: "NO KEY UPDATE"}, then tx.Save(&a) (all columns).
-- Safe: row locked until COMMIT.
-- Recorded from gorm.io/gorm v1.31.2 + gorm.io/driver/postgres v1.6.3 (pgx v5) through the proxy (internal/ormtraffic TestGORM).
-- setup: CREATE TABLE "accounts" ("id" bigint,"owner" text,"balance" bigint,"version" bigint NOT NULL DEFAULT 1,PRIMARY KEY ("id"))
-- setup: INSERT INTO accounts VALUES (7, 'owner7', 100, 1)
for_no_key_update_tx: begin
for_no_key_update_tx: SELECT * FROM "accounts" WHERE "accounts"."id" = $1 ORDER BY "accounts"."id" LIMIT $2 FOR NO KEY UPDATE   -- args: 7, 1
for_no_key_update_tx: UPDATE "accounts" SET "owner"=$1,"balance"=$2,"version"=$3 WHERE "id" = $4   -- args: 'owner7', 250, 1, 7
for_no_key_update_tx: commit
