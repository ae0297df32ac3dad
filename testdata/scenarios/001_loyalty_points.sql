-- The canonical lost update: two services credit points to user 42 at once.
-- setup: CREATE TABLE users (id int PRIMARY KEY, balance int NOT NULL, version int NOT NULL DEFAULT 0);
-- setup: INSERT INTO users VALUES (42, 100, 0);
order:    SELECT balance FROM users WHERE id = $1            -- args: 42
referral: SELECT balance FROM users WHERE id = $1            -- args: 42
order:    UPDATE users SET balance = $1 WHERE id = $2        -- args: 250, 42   -- want RMW001 /users.balance of row id=42/
referral: UPDATE users SET balance = $1 WHERE id = $2        -- args: 500, 42   -- want RMW001   -- want RMW006 /lost update on users id=42: order and referral/
