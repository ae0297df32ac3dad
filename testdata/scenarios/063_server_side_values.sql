-- Safe: the UPDATE sets only values PostgreSQL computes itself (now(), DEFAULT, another column).
-- setup: CREATE TABLE users (id int PRIMARY KEY, balance int NOT NULL, pending int NOT NULL DEFAULT 0, touched_at timestamptz);
-- setup: INSERT INTO users VALUES (42, 100, 5, now());
s: SELECT * FROM users WHERE id = $1                                                   -- args: 42
s: UPDATE users SET touched_at = now(), pending = DEFAULT, balance = pending WHERE id = $1   -- args: 42
