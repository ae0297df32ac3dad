-- Hibernate @Version, two transactions read version 0; the second flush updates no row, Hibernate
-- throws OptimisticLockException (StaleObjectStateException) and the transaction rolls back. Healthy:
-- the conflict surfaced to the application, no finding.
-- Not recorded (no Maven Central here): the statement shapes Hibernate ORM 6 emits on PostgreSQL (pgjdbc,
-- extended protocol), written from its SQL logs in the Hibernate documentation and dialect source.
-- setup: CREATE TABLE account (id bigint PRIMARY KEY, balance integer NOT NULL, owner varchar(255), version integer NOT NULL)
-- setup: INSERT INTO account VALUES (1, 100, 'ann', 0)
a: BEGIN
a: select a1_0.id,a1_0.balance,a1_0.owner,a1_0.version from account a1_0 where a1_0.id=$1   -- args: 1
b: BEGIN
b: select a1_0.id,a1_0.balance,a1_0.owner,a1_0.version from account a1_0 where a1_0.id=$1   -- args: 1
a: update account set balance=$1,owner=$2,version=$3 where id=$4 and version=$5   -- args: 250, 'ann', 1, 1, 0
a: COMMIT
b: update account set balance=$1,owner=$2,version=$3 where id=$4 and version=$5   -- args: 500, 'ann', 1, 1, 0
b: ROLLBACK
