-- GORM: Model(&a).Clauses(clause.Returning{}).Update("balance", gorm.Expr("balance + ?", 150)).
-- Safe: atomic update with RETURNING *.
-- Recorded from gorm.io/gorm v1.31.2 + gorm.io/driver/postgres v1.6.3 (pgx v5) through the proxy (internal/ormtraffic TestGORM).
-- setup: CREATE TABLE "accounts" ("id" bigint,"owner" text,"balance" bigint,"version" bigint NOT NULL DEFAULT 1,PRIMARY KEY ("id"))
-- setup: INSERT INTO accounts VALUES (5, 'owner5', 100, 1)
atomic_returning: SELECT * FROM "accounts" WHERE "accounts"."id" = $1 ORDER BY "accounts"."id" LIMIT $2   -- args: 5, 1
atomic_returning: begin
atomic_returning: UPDATE "accounts" SET "balance"=balance + $1 WHERE "id" = $2 RETURNING *   -- args: 150, 5
atomic_returning: commit
