-- Django: a = get(id=4); a.balance = F("balance") + 150; a.save(update_fields=["balance"]). Safe: atomic.
-- Recorded from Django 3.2.25 + psycopg2 2.9.5 through the proxy (internal/ormtraffic TestExternalORMs, python/django_cases.py). psycopg2 interpolates on the client: simple protocol.
-- setup: CREATE TABLE "cases_account" ("id" serial NOT NULL PRIMARY KEY, "owner" varchar(50) NOT NULL, "balance" integer NOT NULL, "version" integer NOT NULL)
-- setup: INSERT INTO cases_account VALUES (4, 'owner4', 100, 1)
dj_f_save: SET TIME ZONE 'UTC'
dj_f_save: SELECT "cases_account"."id", "cases_account"."owner", "cases_account"."balance", "cases_account"."version" FROM "cases_account" WHERE "cases_account"."id" = 4 LIMIT 21
dj_f_save: UPDATE "cases_account" SET "balance" = ("cases_account"."balance" + 150) WHERE "cases_account"."id" = 4
