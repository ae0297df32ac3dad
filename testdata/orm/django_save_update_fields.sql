-- Django: get(id=2); a.balance += 150; a.save(update_fields=["balance"]). Unsafe: RMW001.
-- Recorded from Django 3.2.25 + psycopg2 2.9.5 through the proxy (internal/ormtraffic TestExternalORMs, python/django_cases.py). psycopg2 interpolates on the client: simple protocol.
-- setup: CREATE TABLE "cases_account" ("id" serial NOT NULL PRIMARY KEY, "owner" varchar(50) NOT NULL, "balance" integer NOT NULL, "version" integer NOT NULL)
-- setup: INSERT INTO cases_account VALUES (2, 'owner2', 100, 1)
dj_save_update_fields: SET TIME ZONE 'UTC'
dj_save_update_fields: SELECT "cases_account"."id", "cases_account"."owner", "cases_account"."balance", "cases_account"."version" FROM "cases_account" WHERE "cases_account"."id" = 2 LIMIT 21
dj_save_update_fields: UPDATE "cases_account" SET "balance" = 250 WHERE "cases_account"."id" = 2   -- want RMW001 /balance of row id=2/
