-- Django: a = Account.objects.get(id=1); a.balance += 150; a.save(). save() writes every field back.
-- Unsafe: RMW001.
-- Recorded from Django 3.2.25 + psycopg2 2.9.5 through the proxy (internal/ormtraffic TestExternalORMs, python/django_cases.py). psycopg2 interpolates on the client: simple protocol.
-- setup: CREATE TABLE "cases_account" ("id" serial NOT NULL PRIMARY KEY, "owner" varchar(50) NOT NULL, "balance" integer NOT NULL, "version" integer NOT NULL)
-- setup: INSERT INTO cases_account VALUES (1, 'owner1', 100, 1)
dj_naive_save: SET TIME ZONE 'UTC'
dj_naive_save: SELECT "cases_account"."id", "cases_account"."owner", "cases_account"."balance", "cases_account"."version" FROM "cases_account" WHERE "cases_account"."id" = 1 LIMIT 21
dj_naive_save: UPDATE "cases_account" SET "owner" = 'owner1', "balance" = 250, "version" = 1 WHERE "cases_account"."id" = 1   -- want RMW001 /cases_account\..*balance.* of row id=1/
