-- An ORM that re-reads the row just before saving an entity it loaded earlier (TypeORM
-- save()) writes the stale copy back: the basis of the write is the first read, so the lost
-- update is observed even though the re-read saw the other writer's commit.
-- setup: CREATE TABLE post (id int PRIMARY KEY, title text NOT NULL, balance int NOT NULL, version int NOT NULL);
-- setup: INSERT INTO post VALUES (6, 'p6', 100, 1);
a: SELECT id, title, balance, version FROM post WHERE id = $1   -- args: 6
b: SELECT id, title, balance, version FROM post WHERE id = $1   -- args: 6
a: BEGIN
a: UPDATE post SET balance = $1, version = version + 1 WHERE id = $2   -- args: 250, 6   -- want RMW001   -- want RMW002
a: COMMIT
b: SELECT id, title, balance, version FROM post WHERE id = $1   -- args: 6
b: BEGIN
b: UPDATE post SET balance = $1, version = $2 WHERE id = $3   -- args: 500, 1, 6   -- want RMW001 /post.balance, version of row id=6/
b: COMMIT   -- want RMW006 /a's write \(committed first\) was overwritten/
