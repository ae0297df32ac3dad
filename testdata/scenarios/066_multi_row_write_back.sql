-- One UPDATE writes two rows back (Django bulk_update: SET balance = CASE … END WHERE id IN
-- (…)): each row read is a lost update waiting to happen, each is reported.
-- setup: CREATE TABLE users (id int PRIMARY KEY, balance int NOT NULL);
-- setup: INSERT INTO users VALUES (11, 100), (30, 100), (31, 100);
s: SELECT id, balance FROM users WHERE id IN (11, 30, 31) ORDER BY id
s: UPDATE users SET balance = CASE WHEN id = 11 THEN 250 WHEN id = 30 THEN 260 END WHERE id IN (11, 30)   -- want RMW001 /of row id=11/   -- want RMW001 /of row id=30/
