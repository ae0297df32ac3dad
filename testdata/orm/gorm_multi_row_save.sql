-- GORM: Find(&accs, []int64{17, 30}) (one IN query), then Save each with balance + 150. Unsafe twice: RMW001 per row.
-- Recorded from gorm.io/gorm v1.31.2 + gorm.io/driver/postgres v1.6.3 (pgx v5) through the proxy (internal/ormtraffic TestGORM).
-- setup: CREATE TABLE "accounts" ("id" bigint,"owner" text,"balance" bigint,"version" bigint NOT NULL DEFAULT 1,PRIMARY KEY ("id"))
-- setup: INSERT INTO accounts VALUES (17, 'owner17', 100, 1), (30, 'owner30', 100, 1)
multi_row_save: SELECT * FROM "accounts" WHERE "accounts"."id" IN ($1,$2)   -- args: 17, 30
multi_row_save: begin
multi_row_save: UPDATE "accounts" SET "owner"=$1,"balance"=$2,"version"=$3 WHERE "id" = $4   -- args: 'owner17', 250, 1, 17   -- want RMW001 /of row id=17/
multi_row_save: commit
multi_row_save: begin
multi_row_save: UPDATE "accounts" SET "owner"=$1,"balance"=$2,"version"=$3 WHERE "id" = $4   -- args: 'owner30', 250, 1, 30   -- want RMW001 /of row id=30/
multi_row_save: commit
