-- Safe: Hibernate @Version: set version=?, url=? where id=? and version=?
-- setup: CREATE TABLE blog (id bigint PRIMARY KEY, url varchar(255), version int NOT NULL);
-- setup: INSERT INTO blog VALUES (7, 'http://a', 0);
app: select b1_0.id,b1_0.url,b1_0.version from blog b1_0 where b1_0.id=$1     -- args: 7
app: update blog set url=$1,version=$2 where id=$3 and version=$4              -- args: 'http://b', 1, 7, 0
