-- Safe: GORM/xorm optimistic lock: version = version + 1 with a version predicate.
-- setup: CREATE TABLE accounts (id bigint PRIMARY KEY, balance bigint, version bigint NOT NULL DEFAULT 1);
-- setup: INSERT INTO accounts VALUES (5, 100, 1);
svc: SELECT * FROM "accounts" WHERE "accounts"."id" = $1 ORDER BY "accounts"."id" LIMIT $2   -- args: 5, 1
svc: UPDATE "accounts" SET "balance"=$1,"version"=version + 1 WHERE "id" = $2 AND "version" = $3   -- args: 250, 5, 1
