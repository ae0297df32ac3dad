-- ON CONFLICT ON CONSTRAINT names no columns: the inserted columns the upsert does not update
-- identify the row, so overwriting a value read is reported and an atomic upsert is not. A
-- value read in a transaction that rolled back (or under a savepoint rolled back to) was
-- still seen by the application: writing it back later is reported. A multi-row upsert writes
-- back each of its rows.
-- setup: CREATE TABLE users (id int PRIMARY KEY, name text, balance int NOT NULL, version int NOT NULL DEFAULT 0);
-- setup: INSERT INTO users VALUES (1, 'ann', 10, 0), (2, 'bob', 20, 0), (42, 'dee', 100, 0);
s: SELECT balance FROM users WHERE id = $1     -- args: 42
s: INSERT INTO users (id, name, balance) VALUES ($1, 'dee', $2) ON CONFLICT ON CONSTRAINT users_pkey DO UPDATE SET balance = EXCLUDED.balance   -- args: 42, 250   -- want RMW001
s: SELECT balance FROM users WHERE id = $1     -- args: 42
s: INSERT INTO users AS t (id, name, balance) VALUES ($1, 'dee', $2) ON CONFLICT ON CONSTRAINT users_pkey DO UPDATE SET balance = t.balance + EXCLUDED.balance   -- args: 42, 150
s: BEGIN
s: SELECT balance FROM users WHERE id = $1     -- args: 1
s: ROLLBACK
s: UPDATE users SET balance = $1 WHERE id = $2     -- args: 15, 1   -- want RMW001
s: BEGIN
s: SAVEPOINT a
s: SELECT balance FROM users WHERE id = $1     -- args: 2
s: ROLLBACK TO SAVEPOINT a
s: UPDATE users SET balance = $1 WHERE id = $2     -- args: 25, 2   -- want RMW001
s: COMMIT
s: SELECT id, balance FROM users WHERE id IN (1, 42)
s: INSERT INTO users (id, name, balance) VALUES (1, 'ann', 11), (42, 'dee', 101) ON CONFLICT (id) DO UPDATE SET balance = EXCLUDED.balance   -- want RMW001 /row id=1/   -- want RMW001 /row id=42/
