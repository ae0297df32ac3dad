-- Unsafe: Hibernate without @Version writes every column back.
-- setup: CREATE TABLE blog (id bigint PRIMARY KEY, url varchar(255), rating int);
-- setup: INSERT INTO blog VALUES (7, 'http://a', 3);
app: select b1_0.id,b1_0.rating,b1_0.url from blog b1_0 where b1_0.id=$1     -- args: 7
app: update blog set rating=$1,url=$2 where id=$3                            -- args: 4, 'http://a', 7   -- want RMW001 /blog.rating, url of row id=7/
