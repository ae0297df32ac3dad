-- Unsafe: = ANY($1) with an array parameter.
-- setup: CREATE TABLE users (id int PRIMARY KEY, name text, balance int NOT NULL, version int NOT NULL DEFAULT 0);
-- setup: INSERT INTO users VALUES (1, 'ann', 10, 0), (2, 'bob', 20, 0), (3, 'cy', 30, 0), (42, 'dee', 100, 0);
s: SELECT id, balance FROM users WHERE id = ANY($1)     -- args: {1,2,3}
s: UPDATE users SET balance = $1 WHERE id = $2         -- args: 35, 3   -- want RMW001 /id=3/
