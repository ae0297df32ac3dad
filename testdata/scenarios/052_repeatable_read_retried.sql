-- Safe: REPEATABLE READ fails the second writer with 40001 and it retries the transaction.
-- setup: CREATE TABLE users (id int PRIMARY KEY, name text, balance int NOT NULL, version int NOT NULL DEFAULT 0);
-- setup: INSERT INTO users VALUES (1, 'ann', 10, 0), (42, 'dee', 100, 0);
-- setup: CREATE TABLE audit (id serial PRIMARY KEY, note text);
order:    BEGIN ISOLATION LEVEL REPEATABLE READ
order:    SELECT balance FROM users WHERE id = $1                 -- args: 42
referral: BEGIN ISOLATION LEVEL REPEATABLE READ
referral: SELECT balance FROM users WHERE id = $1                 -- args: 42
order:    UPDATE users SET balance = $1 WHERE id = $2            -- args: 250, 42
referral: UPDATE users SET balance = $1 WHERE id = $2            -- args: 500, 42   -- blocks   -- error 40001
order:    COMMIT                                                    -- want RMW004 /waiting for the client/
referral: ROLLBACK
referral: BEGIN ISOLATION LEVEL REPEATABLE READ
referral: SELECT balance FROM users WHERE id = $1                 -- args: 42
referral: UPDATE users SET balance = $1 WHERE id = $2            -- args: 650, 42
referral: COMMIT
