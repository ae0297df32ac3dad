-- GORM: db.Transaction(func(tx) { tx.Clauses(clause.Locking{Strength: "UPDATE"}).First(&a, 6); tx.Model(&a).Update("balance", a.Balance+150) }).
-- Safe: row locked until COMMIT.
-- Recorded from gorm.io/gorm v1.31.2 + gorm.io/driver/postgres v1.6.3 (pgx v5) through the proxy (internal/ormtraffic TestGORM).
-- setup: CREATE TABLE "accounts" ("id" bigint,"owner" text,"balance" bigint,"version" bigint NOT NULL DEFAULT 1,PRIMARY KEY ("id"))
-- setup: INSERT INTO accounts VALUES (6, 'owner6', 100, 1)
for_update_tx: begin
for_update_tx: SELECT * FROM "accounts" WHERE "accounts"."id" = $1 ORDER BY "accounts"."id" LIMIT $2 FOR UPDATE   -- args: 6, 1
for_update_tx: UPDATE "accounts" SET "balance"=$1 WHERE "id" = $2   -- args: 250, 6
for_update_tx: commit
