-- A batch whose second statement fails: the server skips the rest up to Sync, the session
-- goes on, and the analyzer stays in step (the later read-modify-write is still seen).
-- setup: CREATE TABLE users (id int PRIMARY KEY, balance int NOT NULL CHECK (balance >= 0));
-- setup: INSERT INTO users VALUES (42, 100);
s: SELECT balance FROM users WHERE id = 42; UPDATE users SET balance = -1 WHERE id = 42; SELECT balance FROM users WHERE id = 7   -- batch   -- error 23514
s: SELECT balance FROM users WHERE id = 42
s: UPDATE users SET balance = 250 WHERE id = 42   -- want RMW001
