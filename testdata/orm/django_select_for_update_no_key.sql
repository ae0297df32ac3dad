-- Django: atomic(); select_for_update(no_key=True).get(id=9); save(update_fields=["balance"]). FOR NO KEY UPDATE: safe.
-- Recorded from Django 3.2.25 + psycopg2 2.9.5 through the proxy (internal/ormtraffic TestExternalORMs, python/django_cases.py). psycopg2 interpolates on the client: simple protocol.
-- setup: CREATE TABLE "cases_account" ("id" serial NOT NULL PRIMARY KEY, "owner" varchar(50) NOT NULL, "balance" integer NOT NULL, "version" integer NOT NULL)
-- setup: INSERT INTO cases_account VALUES (9, 'owner9', 100, 1)
dj_no_key: SET TIME ZONE 'UTC'
dj_no_key: BEGIN
dj_no_key: SELECT "cases_account"."id", "cases_account"."owner", "cases_account"."balance", "cases_account"."version" FROM "cases_account" WHERE "cases_account"."id" = 9 LIMIT 21 FOR NO KEY UPDATE
dj_no_key: UPDATE "cases_account" SET "balance" = 250 WHERE "cases_account"."id" = 9
dj_no_key: COMMIT
