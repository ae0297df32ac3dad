-- No lost update observed: b reads after a committed (it sees 250); RMW001 still flags the shape.
-- setup: CREATE TABLE users (id int PRIMARY KEY, name text, balance int NOT NULL, version int NOT NULL DEFAULT 0);
-- setup: INSERT INTO users VALUES (1, 'ann', 10, 0), (42, 'dee', 100, 0);
-- setup: CREATE TABLE audit (id serial PRIMARY KEY, note text);
a: SELECT balance FROM users WHERE id = $1                 -- args: 42
a: UPDATE users SET balance = $1 WHERE id = $2            -- args: 250, 42   -- want RMW001
b: SELECT balance FROM users WHERE id = $1                 -- args: 42
b: UPDATE users SET balance = $1 WHERE id = $2            -- args: 650, 42   -- want RMW001
