-- A bulk UPDATE joined to client values (… FROM (VALUES …) v(id, balance) WHERE users.id = v.id,
-- or FROM unnest($1, $2)) writes those values to the rows the join names: each row read
-- and written back is reported. An atomic form (balance = users.balance + v.delta) is not.
-- setup: CREATE TABLE users (id int PRIMARY KEY, tenant int NOT NULL DEFAULT 7, name text, balance int NOT NULL, version int NOT NULL DEFAULT 0);
-- setup: INSERT INTO users (id, name, balance) VALUES (1, 'ann', 10), (2, 'bob', 20), (42, 'dee', 100);
s: SELECT id, balance FROM users WHERE id IN (1, 42)
s: UPDATE users SET balance = v.balance FROM (VALUES (1, 15), (42, 150)) AS v(id, balance) WHERE users.id = v.id   -- want RMW001 /row id=1/   -- want RMW001 /row id=42/
s: SELECT id, balance FROM users WHERE id = 2
s: UPDATE users SET balance = users.balance + v.delta FROM (VALUES (2, 5)) AS v(id, delta) WHERE users.id = v.id
