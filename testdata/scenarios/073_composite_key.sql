-- Row identity from a composite key: the same id under another tenant is another row.
-- setup: CREATE TABLE accounts (tenant int, id int, balance int NOT NULL, PRIMARY KEY (tenant, id));
-- setup: INSERT INTO accounts VALUES (7, 42, 100), (8, 42, 100);
s: SELECT balance FROM accounts WHERE tenant = $1 AND id = $2      -- args: 7, 42
s: UPDATE accounts SET balance = $1 WHERE tenant = $2 AND id = $3 -- args: 50, 8, 42
s: UPDATE accounts SET balance = $1 WHERE id = $2 AND tenant = $3 -- args: 250, 42, 7   -- want RMW001
