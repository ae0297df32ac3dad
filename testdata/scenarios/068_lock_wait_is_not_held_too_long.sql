-- RMW004 counts the time a transaction keeps its lock while its client works, not the time it
-- spends queued on another session's row lock: b holds id=42 while waiting for a's id=1,
-- which a keeps during a slow pause. a is reported; b, which only waited, is not.
-- config: lock_held_threshold: 100ms
-- setup: CREATE TABLE users (id int PRIMARY KEY, balance int NOT NULL);
-- setup: INSERT INTO users VALUES (1, 10), (42, 100);
a: BEGIN
a: UPDATE users SET balance = balance + 1 WHERE id = $1    -- args: 1
b: BEGIN
b: UPDATE users SET balance = balance + 1 WHERE id = $1    -- args: 42
b: UPDATE users SET balance = balance + 1 WHERE id = $1    -- args: 1   -- blocks
a: \sleep 250ms
a: COMMIT                                                   -- want RMW004 /waiting for the client/
b: COMMIT
