-- RMW007: the same row keeps producing optimistic conflicts.
-- config: hot_row: {conflicts: 2, window: 10s}
-- setup: CREATE TABLE users (id int PRIMARY KEY, name text, balance int NOT NULL, version int NOT NULL DEFAULT 0);
-- setup: INSERT INTO users VALUES (1, 'ann', 10, 0), (42, 'dee', 100, 0);
-- setup: CREATE TABLE audit (id serial PRIMARY KEY, note text);
a: SELECT version FROM users WHERE id = $1                                                 -- args: 42
b: SELECT version FROM users WHERE id = $1                                                 -- args: 42
c: SELECT version FROM users WHERE id = $1                                                 -- args: 42
a: UPDATE users SET balance = $1, version = version + 1 WHERE id = $2 AND version = $3    -- args: 1, 42, 0
b: UPDATE users SET balance = $1, version = version + 1 WHERE id = $2 AND version = $3    -- args: 2, 42, 0
c: UPDATE users SET balance = $1, version = version + 1 WHERE id = $2 AND version = $3    -- args: 3, 42, 0   -- want RMW007 /hot row users id=42: 2 write conflicts/
b: SELECT version FROM users WHERE id = $1                                                 -- args: 42
c: SELECT version FROM users WHERE id = $1                                                 -- args: 42
