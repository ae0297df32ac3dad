-- RMW006: referral's UPDATE waits on order's row lock, proceeds after order's COMMIT
-- (READ COMMITTED re-checks the row and writes anyway) and overwrites it.
-- setup: CREATE TABLE users (id int PRIMARY KEY, name text, balance int NOT NULL, version int NOT NULL DEFAULT 0);
-- setup: INSERT INTO users VALUES (1, 'ann', 10, 0), (42, 'dee', 100, 0);
-- setup: CREATE TABLE audit (id serial PRIMARY KEY, note text);
order:    BEGIN
order:    SELECT balance FROM users WHERE id = $1                 -- args: 42
referral: BEGIN
referral: SELECT balance FROM users WHERE id = $1                 -- args: 42
order:    UPDATE users SET balance = $1 WHERE id = $2            -- args: 250, 42   -- want RMW001
referral: UPDATE users SET balance = $1 WHERE id = $2            -- args: 500, 42   -- blocks   -- want RMW001
order:    COMMIT                                                    -- want RMW004 /waiting for the client/
referral: COMMIT                                                  -- want RMW006 /order's write \(committed first\) was overwritten/
