-- SQL-level PREPARE/EXECUTE (psql scripts, drivers that prepare in SQL): EXECUTE runs the
-- prepared statement with its arguments, and is analysed as that statement.
-- protocols: simple
-- setup: CREATE TABLE users (id int PRIMARY KEY, name text, balance int NOT NULL, version int NOT NULL DEFAULT 0);
-- setup: INSERT INTO users VALUES (1, 'ann', 10, 0), (42, 'dee', 100, 0);
s: PREPARE rd(int) AS SELECT balance FROM users WHERE id = $1
s: PREPARE wr(int, int) AS UPDATE users SET balance = $1 WHERE id = $2 AND name <> 'x'
s: PREPARE bump(int, int) AS UPDATE users SET balance = balance + $1 WHERE id = $2
s: EXECUTE rd(42)
s: EXECUTE wr(250, 42)     -- want RMW001 /users.balance of row id=42/
s: EXECUTE rd(1)
s: EXECUTE bump(10, 1)
s: DEALLOCATE wr
s: EXECUTE rd(1)
s: EXECUTE wr(30, 1)       -- error 26000
