-- The same table named with and without its schema is one table.
-- setup: CREATE TABLE users (id int PRIMARY KEY, name text, balance int NOT NULL, version int NOT NULL DEFAULT 0);
-- setup: INSERT INTO users VALUES (1, 'ann', 10, 0), (42, 'dee', 100, 0);
s: SELECT balance FROM public.users WHERE id = $1          -- args: 42
s: UPDATE users SET balance = $1 WHERE id = $2            -- args: 250, 42   -- want RMW001
s: SELECT u.balance FROM users u WHERE u.id = $1           -- args: 1
s: UPDATE "public"."users" SET balance = $1 WHERE id = $2 -- args: 20, 1     -- want RMW001
