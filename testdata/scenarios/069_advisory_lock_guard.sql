-- An exclusive advisory lock taken before the read serializes the read-modify-write code path
-- (Rails with_advisory_lock, hand-written pg_advisory_xact_lock): not a finding while it is
-- held. Taken after the read, released before the write (pg_advisory_unlock, or ROLLBACK TO a
-- savepoint set before it, as PostgreSQL releases it), or shared, it guards nothing.
-- setup: CREATE TABLE users (id int PRIMARY KEY, balance int NOT NULL);
-- setup: INSERT INTO users VALUES (1, 10), (2, 20), (3, 30), (4, 40), (42, 100);
xact: BEGIN
xact: SELECT pg_advisory_xact_lock(hashtext('credit:' || $1))   -- args: '42'
xact: SELECT balance FROM users WHERE id = $1                   -- args: 42
xact: UPDATE users SET balance = $1 WHERE id = $2               -- args: 250, 42
xact: COMMIT
sess: SELECT pg_advisory_lock($1)                               -- args: 7
sess: SELECT balance FROM users WHERE id = $1                   -- args: 1
sess: UPDATE users SET balance = $1 WHERE id = $2               -- args: 11, 1
sess: SELECT pg_advisory_unlock($1)                             -- args: 7
sess: SELECT balance FROM users WHERE id = $1                   -- args: 2
sess: UPDATE users SET balance = $1 WHERE id = $2               -- args: 21, 2   -- want RMW001 /id=2/
late: BEGIN
late: SELECT balance FROM users WHERE id = $1                   -- args: 3
late: SELECT pg_advisory_xact_lock($1)                          -- args: 9
late: UPDATE users SET balance = $1 WHERE id = $2               -- args: 31, 3   -- want RMW001 /id=3/
late: COMMIT
shared: BEGIN
shared: SELECT pg_advisory_xact_lock_shared($1)                 -- args: 9
shared: SELECT balance FROM users WHERE id = $1                 -- args: 4
shared: UPDATE users SET balance = $1 WHERE id = $2             -- args: 41, 4   -- want RMW001 /id=4/
shared: COMMIT
rolled: BEGIN
rolled: SAVEPOINT a
rolled: SELECT pg_advisory_xact_lock($1)                         -- args: 11
rolled: ROLLBACK TO SAVEPOINT a
rolled: SELECT balance FROM users WHERE id = $1                  -- args: 42
rolled: UPDATE users SET balance = $1 WHERE id = $2              -- args: 260, 42   -- want RMW001 /id=42/
rolled: COMMIT
