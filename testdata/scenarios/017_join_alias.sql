-- Unsafe: the read is a join with aliases; the balance comes from u.
-- setup: CREATE TABLE users (id int PRIMARY KEY, name text, balance int NOT NULL, version int NOT NULL DEFAULT 0);
-- setup: INSERT INTO users VALUES (1, 'ann', 10, 0), (2, 'bob', 20, 0), (3, 'cy', 30, 0), (42, 'dee', 100, 0);
-- setup: CREATE TABLE orders (id int PRIMARY KEY, user_id int, total int);
-- setup: INSERT INTO orders VALUES (9, 42, 30);
s: SELECT u.balance, o.total FROM users u JOIN orders o ON o.user_id = u.id WHERE u.id = $1   -- args: 42
s: UPDATE users SET balance = $1 WHERE id = $2                                            -- args: 70, 42   -- want RMW001
s: UPDATE orders SET total = $1 WHERE id = $2                                             -- args: 5, 9
