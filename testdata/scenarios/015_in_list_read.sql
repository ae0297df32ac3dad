-- Unsafe: a multi-row read with IN, then a write of one of the rows.
-- setup: CREATE TABLE users (id int PRIMARY KEY, name text, balance int NOT NULL, version int NOT NULL DEFAULT 0);
-- setup: INSERT INTO users VALUES (1, 'ann', 10, 0), (2, 'bob', 20, 0), (3, 'cy', 30, 0), (42, 'dee', 100, 0);
s: SELECT id, balance FROM users WHERE id IN ($1, $2, $3)    -- args: 1, 2, 3
s: UPDATE users SET balance = $1 WHERE id = $2                 -- args: 25, 2   -- want RMW001 /id=2/
s: UPDATE users SET balance = $1 WHERE id = $2                 -- args: 50, 42
