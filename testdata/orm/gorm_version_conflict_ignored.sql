-- GORM: two handlers read version 1; b's guarded Updates matches no row (UPDATE 0), b ignores RowsAffected
-- and goes on writing elsewhere: its +400 is silently dropped. RMW003.
-- Recorded from gorm.io/gorm v1.31.2 + gorm.io/driver/postgres v1.6.3 (pgx v5) through the proxy (internal/ormtraffic TestGORM).
-- setup: CREATE TABLE "accounts" ("id" bigint,"owner" text,"balance" bigint,"version" bigint NOT NULL DEFAULT 1,PRIMARY KEY ("id"))
-- setup: INSERT INTO accounts VALUES (1, 'owner1', 100, 1), (10, 'owner10', 100, 1)
version_conflict_ignored_a: SELECT * FROM "accounts" WHERE "accounts"."id" = $1 ORDER BY "accounts"."id" LIMIT $2   -- args: 10, 1
version_conflict_ignored_b: SELECT * FROM "accounts" WHERE "accounts"."id" = $1 ORDER BY "accounts"."id" LIMIT $2   -- args: 10, 1
version_conflict_ignored_a: begin
version_conflict_ignored_a: UPDATE "accounts" SET "balance"=$1,"version"=version + 1 WHERE id = $2 AND version = $3   -- args: 250, 10, 1
version_conflict_ignored_a: commit
version_conflict_ignored_b: begin
version_conflict_ignored_b: UPDATE "accounts" SET "balance"=$1,"version"=version + 1 WHERE id = $2 AND version = $3   -- args: 500, 10, 1
version_conflict_ignored_b: commit   -- want RMW003 /id=10/
version_conflict_ignored_b: begin
version_conflict_ignored_b: UPDATE "accounts" SET "owner"=$1 WHERE id = $2   -- args: 'audited', 1
version_conflict_ignored_b: commit
