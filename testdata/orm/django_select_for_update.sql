-- Django: with transaction.atomic(): a = Account.objects.select_for_update().get(id=6); a.balance += 150; a.save().
-- Safe: FOR UPDATE inside the transaction.
-- Recorded from Django 3.2.25 + psycopg2 2.9.5 through the proxy (internal/ormtraffic TestExternalORMs, python/django_cases.py). psycopg2 interpolates on the client: simple protocol.
-- setup: CREATE TABLE "cases_account" ("id" serial NOT NULL PRIMARY KEY, "owner" varchar(50) NOT NULL, "balance" integer NOT NULL, "version" integer NOT NULL)
-- setup: INSERT INTO cases_account VALUES (6, 'owner6', 100, 1)
dj_select_for_update: SET TIME ZONE 'UTC'
dj_select_for_update: BEGIN
dj_select_for_update: SELECT "cases_account"."id", "cases_account"."owner", "cases_account"."balance", "cases_account"."version" FROM "cases_account" WHERE "cases_account"."id" = 6 LIMIT 21 FOR UPDATE
dj_select_for_update: UPDATE "cases_account" SET "owner" = 'owner6', "balance" = 250, "version" = 1 WHERE "cases_account"."id" = 6
dj_select_for_update: COMMIT
