-- Django: a = get(id=3); Account.objects.filter(id=3).update(balance=a.balance + 150). Unsafe: RMW001.
-- Recorded from Django 3.2.25 + psycopg2 2.9.5 through the proxy (internal/ormtraffic TestExternalORMs, python/django_cases.py). psycopg2 interpolates on the client: simple protocol.
-- setup: CREATE TABLE "cases_account" ("id" serial NOT NULL PRIMARY KEY, "owner" varchar(50) NOT NULL, "balance" integer NOT NULL, "version" integer NOT NULL)
-- setup: INSERT INTO cases_account VALUES (3, 'owner3', 100, 1)
dj_queryset_update: SET TIME ZONE 'UTC'
dj_queryset_update: SELECT "cases_account"."id", "cases_account"."owner", "cases_account"."balance", "cases_account"."version" FROM "cases_account" WHERE "cases_account"."id" = 3 LIMIT 21
dj_queryset_update: UPDATE "cases_account" SET "balance" = 250 WHERE "cases_account"."id" = 3   -- want RMW001 /balance of row id=3/
