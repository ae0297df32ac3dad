-- SET TRANSACTION outside a transaction has no effect (PostgreSQL warns).
-- setup: CREATE TABLE users (id int PRIMARY KEY, tenant int NOT NULL DEFAULT 7, name text, balance int NOT NULL, version int NOT NULL DEFAULT 0);
-- setup: INSERT INTO users (id, name, balance) VALUES (1, 'ann', 10), (42, 'dee', 100);
s: SET TRANSACTION ISOLATION LEVEL SERIALIZABLE
s: BEGIN
s: SELECT balance FROM users WHERE id = $1                          -- args: 42
s: UPDATE users SET balance = $1 WHERE id = $2                     -- args: 250, 42   -- want RMW001
s: COMMIT
