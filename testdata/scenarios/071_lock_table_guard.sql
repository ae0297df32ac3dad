-- Safe: a table lock that conflicts with itself (or SHARE, which conflicts with
-- every writer) held from before the read to the write; ROW EXCLUSIVE does not guard, nor
-- a lock released by ROLLBACK TO the savepoint set before it.
-- setup: CREATE TABLE users (id int PRIMARY KEY, name text, balance int NOT NULL, version int NOT NULL DEFAULT 0);
-- setup: INSERT INTO users VALUES (1, 'ann', 10, 0), (42, 'dee', 100, 0);
s: BEGIN
s: LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE
s: SELECT balance FROM users WHERE id = $1                 -- args: 42
s: UPDATE users SET balance = $1 WHERE id = $2            -- args: 250, 42
s: COMMIT
s: BEGIN
s: LOCK TABLE ONLY public.users IN EXCLUSIVE MODE NOWAIT
s: SELECT balance FROM users WHERE id = $1                 -- args: 42
s: UPDATE users SET balance = $1 WHERE id = $2            -- args: 260, 42
s: COMMIT
s: BEGIN
s: LOCK users IN ROW EXCLUSIVE MODE
s: SELECT balance FROM users WHERE id = $1                 -- args: 1
s: UPDATE users SET balance = $1 WHERE id = $2            -- args: 20, 1   -- want RMW001
s: COMMIT
s: BEGIN
s: SAVEPOINT a
s: LOCK TABLE users IN EXCLUSIVE MODE
s: ROLLBACK TO SAVEPOINT a
s: SELECT balance FROM users WHERE id = $1                 -- args: 42
s: UPDATE users SET balance = $1 WHERE id = $2            -- args: 270, 42   -- want RMW001
s: COMMIT
