-- GORM: Transaction with clause.Locking{Strength: "SHARE"}, then Update. A share lock held to COMMIT blocks
-- every other writer of the row (two such writers deadlock rather than lose an update): safe.
-- Recorded from gorm.io/gorm v1.31.2 + gorm.io/driver/postgres v1.6.3 (pgx v5) through the proxy (internal/ormtraffic TestGORM).
-- setup: CREATE TABLE "accounts" ("id" bigint,"owner" text,"balance" bigint,"version" bigint NOT NULL DEFAULT 1,PRIMARY KEY ("id"))
-- setup: INSERT INTO accounts VALUES (16, 'owner16', 100, 1)
for_share_tx: begin
for_share_tx: SELECT * FROM "accounts" WHERE "accounts"."id" = $1 ORDER BY "accounts"."id" LIMIT $2 FOR SHARE   -- args: 16, 1
for_share_tx: UPDATE "accounts" SET "balance"=$1 WHERE "id" = $2   -- args: 250, 16
for_share_tx: commit
