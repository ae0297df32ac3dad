-- GORM: First(&a, 4); db.Model(&a).Update("balance", gorm.Expr("balance + ?", 150)).
-- Safe: atomic update.
-- Recorded from gorm.io/gorm v1.31.2 + gorm.io/driver/postgres v1.6.3 (pgx v5) through the proxy (internal/ormtraffic TestGORM).
-- setup: CREATE TABLE "accounts" ("id" bigint,"owner" text,"balance" bigint,"version" bigint NOT NULL DEFAULT 1,PRIMARY KEY ("id"))
-- setup: INSERT INTO accounts VALUES (4, 'owner4', 100, 1)
atomic_expr: SELECT * FROM "accounts" WHERE "accounts"."id" = $1 ORDER BY "accounts"."id" LIMIT $2   -- args: 4, 1
atomic_expr: begin
atomic_expr: UPDATE "accounts" SET "balance"=balance + $1 WHERE "id" = $2   -- args: 150, 4
atomic_expr: commit
