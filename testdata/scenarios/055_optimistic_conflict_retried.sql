-- Safe: b sees UPDATE 0, re-reads the row and retries with the new version.
-- setup: CREATE TABLE users (id int PRIMARY KEY, name text, balance int NOT NULL, version int NOT NULL DEFAULT 0);
-- setup: INSERT INTO users VALUES (1, 'ann', 10, 0), (42, 'dee', 100, 0);
-- setup: CREATE TABLE audit (id serial PRIMARY KEY, note text);
a: SELECT balance, version FROM users WHERE id = $1                                        -- args: 42
b: SELECT balance, version FROM users WHERE id = $1                                        -- args: 42
a: UPDATE users SET balance = $1, version = version + 1 WHERE id = $2 AND version = $3    -- args: 250, 42, 0
b: UPDATE users SET balance = $1, version = version + 1 WHERE id = $2 AND version = $3    -- args: 500, 42, 0
b: SELECT balance, version FROM users WHERE id = $1                                        -- args: 42
b: UPDATE users SET balance = $1, version = version + 1 WHERE id = $2 AND version = $3    -- args: 650, 42, 1
b: INSERT INTO audit (note) VALUES ($1)                                                    -- args: 'credited'
