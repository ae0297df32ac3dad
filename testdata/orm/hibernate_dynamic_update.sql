-- Hibernate @DynamicUpdate without @Version: only the dirty column is written. Unsafe: RMW001.
-- Not recorded (no Maven Central here): the statement shapes Hibernate ORM 6 emits on PostgreSQL (pgjdbc,
-- extended protocol), written from its SQL logs in the Hibernate documentation and dialect source.
-- setup: CREATE TABLE account (id bigint PRIMARY KEY, balance integer NOT NULL, owner varchar(255), version integer NOT NULL)
-- setup: INSERT INTO account VALUES (1, 100, 'ann', 0)
app: BEGIN
app: select a1_0.id,a1_0.balance,a1_0.owner,a1_0.version from account a1_0 where a1_0.id=$1   -- args: 1
app: update account set balance=$1 where id=$2   -- args: 250, 1   -- want RMW001 /account.balance of row id=1/
app: COMMIT
