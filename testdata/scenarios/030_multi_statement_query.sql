-- Safe: one simple-protocol Query holding the whole locked transaction.
-- protocols: simple
-- setup: CREATE TABLE users (id int PRIMARY KEY, name text, balance int NOT NULL, version int NOT NULL DEFAULT 0);
-- setup: INSERT INTO users VALUES (1, 'ann', 10, 0), (2, 'bob', 20, 0), (3, 'cy', 30, 0), (42, 'dee', 100, 0);
s: BEGIN; SELECT balance FROM users WHERE id = 42 FOR UPDATE; UPDATE users SET balance = 250 WHERE id = 42; COMMIT
s: SELECT balance FROM users WHERE id = 1; SELECT balance FROM users WHERE id = 2
s: UPDATE users SET balance = 21 WHERE id = 2       -- want RMW001 /id=2/
