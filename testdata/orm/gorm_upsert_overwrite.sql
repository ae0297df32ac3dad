-- GORM: First(&a, 13); a.Balance += 150; Clauses(clause.OnConflict{UpdateAll: true}).Create(&a).
-- Unsafe: the upsert overwrites every column with values computed from the read. RMW001.
-- Recorded from gorm.io/gorm v1.31.2 + gorm.io/driver/postgres v1.6.3 (pgx v5) through the proxy (internal/ormtraffic TestGORM).
-- setup: CREATE TABLE "accounts" ("id" bigint,"owner" text,"balance" bigint,"version" bigint NOT NULL DEFAULT 1,PRIMARY KEY ("id"))
-- setup: INSERT INTO accounts VALUES (13, 'owner13', 100, 1)
upsert_overwrite: SELECT * FROM "accounts" WHERE "accounts"."id" = $1 ORDER BY "accounts"."id" LIMIT $2   -- args: 13, 1
upsert_overwrite: begin
upsert_overwrite: INSERT INTO "accounts" ("id","owner","balance","version") VALUES ($1,$2,$3,$4) ON CONFLICT ("id") DO UPDATE SET "owner"="excluded"."owner","balance"="excluded"."balance","version"="excluded"."version"   -- args: 13, 'owner13', 250, 1   -- want RMW001 /balance.* of row id=13/
upsert_overwrite: commit
