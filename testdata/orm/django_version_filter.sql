-- Django: a = get(id=7); filter(id=7, version=a.version).update(balance=a.balance + 150, version=F("version") + 1).
-- Safe: hand-written optimistic lock (row count checked).
-- Recorded from Django 3.2.25 + psycopg2 2.9.5 through the proxy (internal/ormtraffic TestExternalORMs, python/django_cases.py). psycopg2 interpolates on the client: simple protocol.
-- setup: CREATE TABLE "cases_account" ("id" serial NOT NULL PRIMARY KEY, "owner" varchar(50) NOT NULL, "balance" integer NOT NULL, "version" integer NOT NULL)
-- setup: INSERT INTO cases_account VALUES (7, 'owner7', 100, 1)
dj_version_filter: SET TIME ZONE 'UTC'
dj_version_filter: SELECT "cases_account"."id", "cases_account"."owner", "cases_account"."balance", "cases_account"."version" FROM "cases_account" WHERE "cases_account"."id" = 7 LIMIT 21
dj_version_filter: UPDATE "cases_account" SET "balance" = 250, "version" = ("cases_account"."version" + 1) WHERE ("cases_account"."id" = 7 AND "cases_account"."version" = 1)
