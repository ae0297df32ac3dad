-- MERGE … WHEN MATCHED THEN UPDATE is the UPDATE of the rows it joins: a write-back of a
-- value read is reported; with a version check in the WHEN MATCHED condition it is guarded.
-- setup: CREATE TABLE users (id int PRIMARY KEY, tenant int NOT NULL DEFAULT 7, name text, balance int NOT NULL, version int NOT NULL DEFAULT 0);
-- setup: INSERT INTO users (id, name, balance) VALUES (1, 'ann', 10), (2, 'bob', 20), (42, 'dee', 100);
s: SELECT balance FROM users WHERE id = $1                          -- args: 42
s: MERGE INTO users u USING (SELECT $1::int AS id, $2::int AS balance) v ON u.id = v.id WHEN MATCHED THEN UPDATE SET balance = v.balance WHEN NOT MATCHED THEN INSERT (id, balance) VALUES (v.id, v.balance)   -- args: 42, 250  -- want RMW001 /row id=42/
s: SELECT balance, version FROM users WHERE id = $1                 -- args: 1
s: MERGE INTO users u USING (VALUES ($1::int, $2::int, $3::int)) AS v(id, balance, version) ON u.id = v.id WHEN MATCHED AND u.version = v.version THEN UPDATE SET balance = v.balance, version = u.version + 1   -- args: 1, 20, 0
