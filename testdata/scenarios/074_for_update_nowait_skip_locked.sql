-- Safe: NOWAIT and SKIP LOCKED still take the row lock.
-- setup: CREATE TABLE users (id int PRIMARY KEY, name text, balance int NOT NULL, version int NOT NULL DEFAULT 0);
-- setup: INSERT INTO users VALUES (1, 'ann', 10, 0), (42, 'dee', 100, 0);
s: BEGIN
s: SELECT balance FROM users WHERE id = $1 FOR UPDATE NOWAIT        -- args: 42
s: UPDATE users SET balance = $1 WHERE id = $2                     -- args: 250, 42
s: COMMIT
s: BEGIN
s: SELECT id, balance FROM users WHERE id = $1 FOR UPDATE SKIP LOCKED  -- args: 1
s: UPDATE users SET balance = $1 WHERE id = $2                     -- args: 20, 1
s: COMMIT
