-- GORM: Where("owner = ?", "owner3").First(&a); db.Model(&a).Updates(Account{Balance: a.Balance + 150}).
-- Read by owner, written by id: the returned id ties them. Unsafe: RMW001.
-- Recorded from gorm.io/gorm v1.31.2 + gorm.io/driver/postgres v1.6.3 (pgx v5) through the proxy (internal/ormtraffic TestGORM).
-- setup: CREATE TABLE "accounts" ("id" bigint,"owner" text,"balance" bigint,"version" bigint NOT NULL DEFAULT 1,PRIMARY KEY ("id"))
-- setup: INSERT INTO accounts VALUES (3, 'owner3', 100, 1)
naive_updates_struct: SELECT * FROM "accounts" WHERE owner = $1 ORDER BY "accounts"."id" LIMIT $2   -- args: 'owner3', 1
naive_updates_struct: begin
naive_updates_struct: UPDATE "accounts" SET "balance"=$1 WHERE "id" = $2   -- args: 250, 3   -- want RMW001 /balance of row id=3/
naive_updates_struct: commit
