-- Safe: a whole locked transaction sent as one pgx batch (pipelined Parse/Bind/Execute … Sync
-- in the extended protocol, one multi-statement Query in the simple one).
-- setup: CREATE TABLE users (id int PRIMARY KEY, balance int NOT NULL);
-- setup: INSERT INTO users VALUES (42, 100);
s: BEGIN; SELECT balance FROM users WHERE id = 42 FOR UPDATE; UPDATE users SET balance = 250 WHERE id = 42; COMMIT   -- batch
s: SELECT balance FROM users WHERE id = 42
s: UPDATE users SET balance = 300 WHERE id = 42   -- want RMW001 /later transaction/
