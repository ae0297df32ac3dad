-- GORM's soft-delete filter (deleted_at IS NULL, on its reads and its updates) does not hide
-- the row's key.
-- setup: CREATE TABLE users (id int PRIMARY KEY, name text, balance int NOT NULL, deleted_at timestamptz);
-- setup: INSERT INTO users VALUES (1, 'ann', 10, NULL), (42, 'dee', 100, NULL);
s: SELECT * FROM "users" WHERE "users"."id" = $1 AND "users"."deleted_at" IS NULL ORDER BY "users"."id" LIMIT $2   -- args: 42, 1
s: UPDATE "users" SET "balance"=$1 WHERE "users"."deleted_at" IS NULL AND "id" = $2   -- args: 250, 42   -- want RMW001
