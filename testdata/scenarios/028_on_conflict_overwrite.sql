-- Unsafe: ON CONFLICT DO UPDATE overwriting with the application's value after reading it.
-- setup: CREATE TABLE users (id int PRIMARY KEY, name text, balance int NOT NULL, version int NOT NULL DEFAULT 0);
-- setup: INSERT INTO users VALUES (1, 'ann', 10, 0), (2, 'bob', 20, 0), (3, 'cy', 30, 0), (42, 'dee', 100, 0);
s: SELECT balance FROM users WHERE id = $1     -- args: 42
s: INSERT INTO users (id, name, balance) VALUES ($1, 'dee', $2) ON CONFLICT (id) DO UPDATE SET balance = EXCLUDED.balance   -- args: 42, 250   -- want RMW001
