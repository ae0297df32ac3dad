-- A read through a subquery in FROM (Sequelize's findOne with include and limit) or a CTE is
-- the read of the table inside: a write-back of what it returned is reported.
-- setup: CREATE TABLE users (id int PRIMARY KEY, name text, balance int NOT NULL, version int NOT NULL DEFAULT 0);
-- setup: CREATE TABLE orders (id int PRIMARY KEY, user_id int, total int);
-- setup: INSERT INTO users VALUES (1, 'ann', 10, 0), (42, 'dee', 100, 0);
-- setup: INSERT INTO orders VALUES (9, 42, 30);
s: SELECT "User".*, "orders"."id" AS "orders.id" FROM (SELECT "User"."id", "User"."balance" FROM "users" AS "User" WHERE "User"."id" = $1 LIMIT 1) AS "User" LEFT OUTER JOIN "orders" AS "orders" ON "User"."id" = "orders"."user_id"   -- args: 42
s: UPDATE "users" SET "balance" = $1 WHERE "id" = $2   -- args: 250, 42   -- want RMW001
s: WITH u AS (SELECT id, balance FROM users WHERE id = $1) SELECT id, balance FROM u   -- args: 1
s: UPDATE users SET balance = $1 WHERE id = $2   -- args: 20, 1   -- want RMW001
