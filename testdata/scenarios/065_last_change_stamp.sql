-- A last-change timestamp set by the application (Rails touch, Sequelize/Django auto
-- updatedAt) does not depend on what was read: overwriting it loses nothing. The column
-- written back from the read still counts.
-- setup: CREATE TABLE users (id int PRIMARY KEY, balance int NOT NULL, updated_at timestamptz, seen timestamptz);
-- setup: INSERT INTO users VALUES (42, 100, now(), now());
touch: SELECT * FROM users WHERE id = $1                                -- args: 42
touch: UPDATE users SET updated_at = $1 WHERE id = $2                   -- args: '2020-01-01 00:00:00+00', 42
stamp: SELECT * FROM users WHERE id = $1                                -- args: 42
stamp: UPDATE users SET balance = balance + 5, seen = now() WHERE id = $1   -- args: 42
naive: SELECT * FROM users WHERE id = $1                                -- args: 42
naive: UPDATE users SET balance = $1, updated_at = $2 WHERE id = $3     -- args: 250, '2020-01-01 00:00:00+00', 42   -- want RMW001 /users\.balance of row/
