-- GORM's soft-delete filter (deleted_at IS NULL) does not hide the row's key; a read and a write
-- in two SERIALIZABLE transactions have two snapshots: the write-back is reported.
-- setup: CREATE TABLE users (id int PRIMARY KEY, name text, balance int NOT NULL, deleted_at timestamptz);
-- setup: INSERT INTO users VALUES (1, 'ann', 10, NULL), (42, 'dee', 100, NULL);
s: SELECT * FROM "users" WHERE "users"."id" = $1 AND "users"."deleted_at" IS NULL ORDER BY "users"."id" LIMIT $2   -- args: 42, 1
s: UPDATE "users" SET "balance"=$1 WHERE "users"."deleted_at" IS NULL AND "id" = $2   -- args: 250, 42   -- want RMW001
s: BEGIN ISOLATION LEVEL SERIALIZABLE
s: SELECT balance FROM users WHERE id = $1     -- args: 1
s: COMMIT
s: BEGIN ISOLATION LEVEL SERIALIZABLE
s: UPDATE users SET balance = $1 WHERE id = $2     -- args: 15, 1   -- want RMW001
s: COMMIT
