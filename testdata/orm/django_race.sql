-- Django: two handlers get(id=8) (balance 100); a saves 250, b saves 500 (autocommit). A real lost update.
-- Recorded from Django 3.2.25 + psycopg2 2.9.5 through the proxy (internal/ormtraffic TestExternalORMs, python/django_cases.py). psycopg2 interpolates on the client: simple protocol.
-- setup: CREATE TABLE "cases_account" ("id" serial NOT NULL PRIMARY KEY, "owner" varchar(50) NOT NULL, "balance" integer NOT NULL, "version" integer NOT NULL)
-- setup: INSERT INTO cases_account VALUES (8, 'owner8', 100, 1)
dj_race_a: SET TIME ZONE 'UTC'
dj_race_a: SELECT "cases_account"."id", "cases_account"."owner", "cases_account"."balance", "cases_account"."version" FROM "cases_account" WHERE "cases_account"."id" = 8 LIMIT 21
dj_race_b: SET TIME ZONE 'UTC'
dj_race_b: SELECT "cases_account"."id", "cases_account"."owner", "cases_account"."balance", "cases_account"."version" FROM "cases_account" WHERE "cases_account"."id" = 8 LIMIT 21
dj_race_a: UPDATE "cases_account" SET "owner" = 'owner8', "balance" = 250, "version" = 1 WHERE "cases_account"."id" = 8   -- want RMW001
dj_race_b: UPDATE "cases_account" SET "owner" = 'owner8', "balance" = 500, "version" = 1 WHERE "cases_account"."id" = 8   -- want RMW001   -- want RMW006 /dj_race_a's write \(committed first\) was overwritten/
