-- Safe: the write computes the new value in SQL.
-- setup: CREATE TABLE users (id int PRIMARY KEY, balance int NOT NULL);
-- setup: INSERT INTO users VALUES (42, 100);
order:    SELECT balance FROM users WHERE id = $1                      -- args: 42
order:    UPDATE users SET balance = balance + $1 WHERE id = $2        -- args: 150, 42
order:    UPDATE users SET balance = COALESCE(balance, 0) - 1 WHERE id = $1   -- args: 42
