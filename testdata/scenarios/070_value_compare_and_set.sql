-- A column checked in WHERE against the value read and set in the same UPDATE
-- is a compare-and-set of that column (Hibernate's optimistic locking without
-- a version column, OptimisticLockType.DIRTY/ALL): it guards itself, not the
-- other columns written. A checked column advanced by one, or given a fresh UUID (a
-- concurrency token), is a version whatever its name, and guards the row.
-- setup: CREATE TABLE users (id int PRIMARY KEY, name text, balance int NOT NULL, generation int NOT NULL DEFAULT 0, tag uuid);
-- setup: INSERT INTO users VALUES (1, 'ann', 10, 0, '6f1c2b9e-0d7a-4a51-9b3e-2f5d8c7a1e00'), (42, 'dee', 100, 0, NULL);
s: SELECT balance, name FROM users WHERE id = $1                        -- args: 42
s: UPDATE users SET balance = $1 WHERE id = $2 AND balance = $3        -- args: 250, 42, 100
s: SELECT balance, name FROM users WHERE id = $1                        -- args: 1
s: UPDATE users SET balance = $1, name = $2 WHERE id = $3 AND balance = $4   -- args: 20, 'x', 1, 10   -- want RMW001 /users.name of row id=1/
s: SELECT balance, name FROM users WHERE id = $1                        -- args: 1
s: UPDATE users SET balance = $1, name = $2 WHERE id = $3 AND balance = $4 AND name = $5   -- args: 30, 'y', 1, 20, 'x'
s: SELECT balance, name, generation FROM users WHERE id = $1            -- args: 42
s: UPDATE users SET balance = $1, name = $2, generation = $3 WHERE id = $4 AND generation = $5   -- args: 300, 'z', 1, 42, 0
s: SELECT balance, name, tag FROM users WHERE id = $1                   -- args: 1
s: UPDATE users SET balance = $1, name = $2, tag = $3 WHERE id = $4 AND tag = $5   -- args: 50, 'v', '0b8e1d52-3f4c-4e6a-8d2b-7c9a1f3e5d11', 1, '6f1c2b9e-0d7a-4a51-9b3e-2f5d8c7a1e00'
s: SELECT balance, name FROM users WHERE id IS NOT DISTINCT FROM $1    -- args: 42
s: UPDATE users SET balance = $1, name = $2 WHERE id IS NOT DISTINCT FROM $3 AND balance IS NOT DISTINCT FROM $4   -- args: 350, 'u', 42, 300   -- want RMW001 /users.name of row id=42/
