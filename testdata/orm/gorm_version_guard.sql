-- GORM: Model(&Account{}).Where("id = ? AND version = ?", a.ID, a.Version).Updates(map{"balance": b, "version": gorm.Expr("version + 1")}).
-- Safe: optimistic lock, RowsAffected checked.
-- Recorded from gorm.io/gorm v1.31.2 + gorm.io/driver/postgres v1.6.3 (pgx v5) through the proxy (internal/ormtraffic TestGORM).
-- setup: CREATE TABLE "accounts" ("id" bigint,"owner" text,"balance" bigint,"version" bigint NOT NULL DEFAULT 1,PRIMARY KEY ("id"))
-- setup: INSERT INTO accounts VALUES (9, 'owner9', 100, 1)
version_guard: SELECT * FROM "accounts" WHERE "accounts"."id" = $1 ORDER BY "accounts"."id" LIMIT $2   -- args: 9, 1
version_guard: begin
version_guard: UPDATE "accounts" SET "balance"=$1,"version"=version + 1 WHERE id = $2 AND version = $3   -- args: 250, 9, 1
version_guard: commit
