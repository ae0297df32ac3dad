-- Django: get(id=5); filter(id=5).update(balance=F("balance") + 150). Safe: atomic.
-- Recorded from Django 3.2.25 + psycopg2 2.9.5 through the proxy (internal/ormtraffic TestExternalORMs, python/django_cases.py). psycopg2 interpolates on the client: simple protocol.
-- setup: CREATE TABLE "cases_account" ("id" serial NOT NULL PRIMARY KEY, "owner" varchar(50) NOT NULL, "balance" integer NOT NULL, "version" integer NOT NULL)
-- setup: INSERT INTO cases_account VALUES (5, 'owner5', 100, 1)
dj_f_update: SET TIME ZONE 'UTC'
dj_f_update: SELECT "cases_account"."id", "cases_account"."owner", "cases_account"."balance", "cases_account"."version" FROM "cases_account" WHERE "cases_account"."id" = 5 LIMIT 21
dj_f_update: UPDATE "cases_account" SET "balance" = ("cases_account"."balance" + 150) WHERE "cases_account"."id" = 5
