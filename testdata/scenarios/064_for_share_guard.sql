-- Safe: a row read FOR SHARE (Hibernate PESSIMISTIC_READ, Rails lock("FOR SHARE")) stays
-- share-locked until COMMIT: any other writer's UPDATE waits, and two such writers deadlock
-- (40P01) instead of losing an update. Only FOR KEY SHARE lets an UPDATE through (005).
-- setup: CREATE TABLE users (id int PRIMARY KEY, name text, balance int NOT NULL, version int NOT NULL DEFAULT 0);
-- setup: INSERT INTO users VALUES (1, 'ann', 10, 0), (42, 'dee', 100, 0);
s: BEGIN
s: SELECT balance FROM users WHERE id = $1 FOR SHARE   -- args: 42
s: UPDATE users SET balance = $1 WHERE id = $2        -- args: 250, 42
s: COMMIT
t: SELECT balance FROM users WHERE id = $1 FOR SHARE   -- args: 42
t: UPDATE users SET balance = $1 WHERE id = $2        -- args: 300, 42   -- want RMW001
