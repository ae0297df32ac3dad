-- The same bulk write with array parameters (pgx, node-postgres): FROM unnest($1, $2).
-- protocols: extended
-- setup: CREATE TABLE users (id int PRIMARY KEY, tenant int NOT NULL DEFAULT 7, name text, balance int NOT NULL, version int NOT NULL DEFAULT 0);
-- setup: INSERT INTO users (id, name, balance) VALUES (1, 'ann', 10), (2, 'bob', 20), (42, 'dee', 100);
s: SELECT id, balance FROM users WHERE id = ANY($1)     -- args: {1,42}
s: UPDATE users SET balance = v.balance FROM unnest($1::int[], $2::int[]) AS v(id, balance) WHERE users.id = v.id   -- args: {1,42}, {15,150}   -- want RMW001 /row id=1/   -- want RMW001 /row id=42/
