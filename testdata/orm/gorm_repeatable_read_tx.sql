-- GORM: db.Transaction(fn, &sql.TxOptions{Isolation: sql.LevelRepeatableRead}): pgx sends "begin isolation level repeatable read".
-- Safe: PostgreSQL raises 40001 instead of losing a write.
-- Recorded from gorm.io/gorm v1.31.2 + gorm.io/driver/postgres v1.6.3 (pgx v5) through the proxy (internal/ormtraffic TestGORM).
-- setup: CREATE TABLE "accounts" ("id" bigint,"owner" text,"balance" bigint,"version" bigint NOT NULL DEFAULT 1,PRIMARY KEY ("id"))
-- setup: INSERT INTO accounts VALUES (14, 'owner14', 100, 1)
repeatable_read_tx: begin isolation level repeatable read
repeatable_read_tx: SELECT * FROM "accounts" WHERE "accounts"."id" = $1 ORDER BY "accounts"."id" LIMIT $2   -- args: 14, 1
repeatable_read_tx: UPDATE "accounts" SET "balance"=$1 WHERE "id" = $2   -- args: 250, 14
repeatable_read_tx: commit
