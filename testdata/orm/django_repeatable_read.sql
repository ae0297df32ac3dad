-- Django with OPTIONS isolation_level = REPEATABLE READ: psycopg2 sends BEGIN ISOLATION LEVEL REPEATABLE READ.
-- atomic(): get + save inside it: safe.
-- Recorded from Django 3.2.25 + psycopg2 2.9.5 through the proxy (internal/ormtraffic TestExternalORMs, python/django_cases.py). psycopg2 interpolates on the client: simple protocol.
-- setup: CREATE TABLE "cases_account" ("id" serial NOT NULL PRIMARY KEY, "owner" varchar(50) NOT NULL, "balance" integer NOT NULL, "version" integer NOT NULL)
-- setup: INSERT INTO cases_account VALUES (10, 'owner10', 100, 1)
dj_repeatable_read: SET TIME ZONE 'UTC'
dj_repeatable_read: SET default_transaction_isolation TO DEFAULT
dj_repeatable_read: BEGIN ISOLATION LEVEL REPEATABLE READ
dj_repeatable_read: SELECT "cases_account"."id", "cases_account"."owner", "cases_account"."balance", "cases_account"."version" FROM "cases_account" WHERE "cases_account"."id" = 10 LIMIT 21
dj_repeatable_read: UPDATE "cases_account" SET "balance" = 250 WHERE "cases_account"."id" = 10
dj_repeatable_read: COMMIT
