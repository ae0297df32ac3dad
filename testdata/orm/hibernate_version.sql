-- Hibernate: @Version on the entity; em.find(Account.class, 1); account.setBalance(+150); commit.
-- The dirty-checking flush writes every column and checks the version: safe.
-- Not recorded (no Maven Central here): the statement shapes Hibernate ORM 6 emits on PostgreSQL (pgjdbc,
-- extended protocol), written from its SQL logs in the Hibernate documentation and dialect source.
-- setup: CREATE TABLE account (id bigint PRIMARY KEY, balance integer NOT NULL, owner varchar(255), version integer NOT NULL)
-- setup: INSERT INTO account VALUES (1, 100, 'ann', 0)
app: BEGIN
app: select a1_0.id,a1_0.balance,a1_0.owner,a1_0.version from account a1_0 where a1_0.id=$1   -- args: 1
app: update account set balance=$1,owner=$2,version=$3 where id=$4 and version=$5   -- args: 250, 'ann', 1, 1, 0
app: COMMIT
