-- Safe: both lock with FOR UPDATE; referral's read waits and sees 250, so nothing is lost.
-- setup: CREATE TABLE users (id int PRIMARY KEY, name text, balance int NOT NULL, version int NOT NULL DEFAULT 0);
-- setup: INSERT INTO users VALUES (1, 'ann', 10, 0), (42, 'dee', 100, 0);
-- setup: CREATE TABLE audit (id serial PRIMARY KEY, note text);
order:    BEGIN
order:    SELECT balance FROM users WHERE id = $1 FOR UPDATE      -- args: 42
referral: BEGIN
referral: SELECT balance FROM users WHERE id = $1 FOR UPDATE      -- args: 42   -- blocks
order:    UPDATE users SET balance = $1 WHERE id = $2            -- args: 250, 42
order:    COMMIT                                                    -- want RMW004 /waiting for the client/
referral: UPDATE users SET balance = $1 WHERE id = $2            -- args: 650, 42
referral: COMMIT
