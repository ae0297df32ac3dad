-- Safe: the UPDATE only sets a column the session did not read.
-- setup: CREATE TABLE users (id int PRIMARY KEY, name text, balance int NOT NULL, version int NOT NULL DEFAULT 0);
-- setup: INSERT INTO users VALUES (1, 'ann', 10, 0), (2, 'bob', 20, 0), (3, 'cy', 30, 0), (42, 'dee', 100, 0);
s: SELECT name FROM users WHERE id = $1               -- args: 42
s: UPDATE users SET balance = $1 WHERE id = $2         -- args: 250, 42
