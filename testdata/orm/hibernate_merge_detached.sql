-- Spring Data JPA without @Version: the entity is read in one request (findById, its own transaction),
-- changed in the web layer, then repository.save(entity) merges it: Hibernate re-selects the row and
-- writes the detached state over it. The write is computed from the first read: unsafe, RMW001.
-- Not recorded (no Maven Central here): the statement shapes Hibernate ORM 6 emits on PostgreSQL (pgjdbc,
-- extended protocol), written from its SQL logs in the Hibernate documentation and dialect source.
-- setup: CREATE TABLE account (id bigint PRIMARY KEY, balance integer NOT NULL, owner varchar(255), version integer NOT NULL)
-- setup: INSERT INTO account VALUES (1, 100, 'ann', 0)
app: BEGIN
app: select a1_0.id,a1_0.balance,a1_0.owner,a1_0.version from account a1_0 where a1_0.id=$1   -- args: 1
app: COMMIT
app: BEGIN
app: select a1_0.id,a1_0.balance,a1_0.owner,a1_0.version from account a1_0 where a1_0.id=$1   -- args: 1
app: update account set balance=$1,owner=$2 where id=$3   -- args: 250, 'ann', 1   -- want RMW001
app: COMMIT
