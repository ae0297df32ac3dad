-- The row read by id is the row written by id and tenant; casts on parameters do not hide the key.
-- setup: CREATE TABLE users (id int PRIMARY KEY, tenant int NOT NULL DEFAULT 7, name text, balance int NOT NULL, version int NOT NULL DEFAULT 0);
-- setup: INSERT INTO users (id, name, balance) VALUES (1, 'ann', 10), (42, 'dee', 100);
s: SELECT balance FROM users WHERE id = $1                          -- args: 42
s: UPDATE users SET balance = $1 WHERE id = $2 AND tenant = $3    -- args: 250, 42, 7   -- want RMW001
s: SELECT balance FROM users WHERE id = $1::int4                     -- args: 1
s: UPDATE users SET balance = $1::int4 WHERE id = CAST($2 AS integer)     -- args: 20, 1   -- want RMW001
