-- A read through a server-side cursor (Django's iterator(), psycopg named cursors, SQLAlchemy's
-- stream_results: DECLARE … CURSOR FOR SELECT …, then FETCH) is the read of that SELECT: the
-- rows FETCH returns, written back later, are reported; after CLOSE the name is forgotten.
-- setup: CREATE TABLE users (id int PRIMARY KEY, name text, balance int NOT NULL);
-- setup: INSERT INTO users VALUES (1, 'ann', 10), (2, 'bob', 20), (42, 'dee', 100);
s: DECLARE "_django_curs_1_sync_1" NO SCROLL CURSOR WITH HOLD FOR SELECT "users"."id", "users"."balance" FROM "users" WHERE "users"."id" = ANY($1)   -- args: {1,42}
s: FETCH FORWARD 2000 FROM "_django_curs_1_sync_1"
s: UPDATE "users" SET "balance" = $1 WHERE "users"."id" = $2   -- args: 11, 1    -- want RMW001 /row id=1/
s: UPDATE "users" SET "balance" = $1 WHERE "users"."id" = $2   -- args: 101, 42  -- want RMW001 /row id=42/
s: CLOSE "_django_curs_1_sync_1"
s: BEGIN
s: DECLARE c CURSOR FOR SELECT id, name FROM users WHERE id = $1   -- args: 2
s: FETCH ALL FROM c
s: UPDATE users SET balance = $1 WHERE id = $2   -- args: 21, 2
s: COMMIT
