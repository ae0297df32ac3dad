-- Safe: the same transaction without the pause stays under the threshold.
-- config: lock_held_threshold: 40ms
-- setup: CREATE TABLE users (id int PRIMARY KEY, name text, balance int NOT NULL, version int NOT NULL DEFAULT 0);
-- setup: INSERT INTO users VALUES (1, 'ann', 10, 0), (42, 'dee', 100, 0);
-- setup: CREATE TABLE audit (id serial PRIMARY KEY, note text);
s: BEGIN
s: SELECT balance FROM users WHERE id = $1 FOR UPDATE     -- args: 42
s: UPDATE users SET balance = $1 WHERE id = $2           -- args: 250, 42
s: COMMIT
