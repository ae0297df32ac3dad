-- GORM: Transaction with clause.Locking{Strength: "KEY SHARE"}, then Update. FOR KEY SHARE does not block
-- other UPDATEs of non-key columns: unsafe, RMW001.
-- Recorded from gorm.io/gorm v1.31.2 + gorm.io/driver/postgres v1.6.3 (pgx v5) through the proxy (internal/ormtraffic TestGORM).
-- setup: CREATE TABLE "accounts" ("id" bigint,"owner" text,"balance" bigint,"version" bigint NOT NULL DEFAULT 1,PRIMARY KEY ("id"))
-- setup: INSERT INTO accounts VALUES (15, 'owner15', 100, 1)
for_key_share_tx: begin
for_key_share_tx: SELECT * FROM "accounts" WHERE "accounts"."id" = $1 ORDER BY "accounts"."id" LIMIT $2 FOR KEY SHARE   -- args: 15, 1
for_key_share_tx: UPDATE "accounts" SET "balance"=$1 WHERE "id" = $2   -- args: 250, 15   -- want RMW001 /balance of row id=15/
for_key_share_tx: commit
