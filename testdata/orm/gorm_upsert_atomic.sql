-- GORM: Clauses(clause.OnConflict{Columns: id, DoUpdates: balance = accounts.balance + excluded.balance}).Create(...).
-- Safe: the upsert adds in SQL.
-- Recorded from gorm.io/gorm v1.31.2 + gorm.io/driver/postgres v1.6.3 (pgx v5) through the proxy (internal/ormtraffic TestGORM).
-- setup: CREATE TABLE "accounts" ("id" bigint,"owner" text,"balance" bigint,"version" bigint NOT NULL DEFAULT 1,PRIMARY KEY ("id"))
-- setup: INSERT INTO accounts VALUES (12, 'owner12', 100, 1)
upsert_atomic: SELECT * FROM "accounts" WHERE "accounts"."id" = $1 ORDER BY "accounts"."id" LIMIT $2   -- args: 12, 1
upsert_atomic: begin
upsert_atomic: INSERT INTO "accounts" ("id","owner","balance","version") VALUES ($1,$2,$3,$4) ON CONFLICT ("id") DO UPDATE SET "balance"="accounts"."balance" + "excluded"."balance"   -- args: 12, 'owner12', 150, 1
upsert_atomic: commit
