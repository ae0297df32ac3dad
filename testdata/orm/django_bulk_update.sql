-- Django: rows = list(filter(id__in=[11, 30])); balance += 150 each; bulk_update(rows, ["balance"]):
-- one UPDATE ... SET "balance" = CASE WHEN id = 11 THEN 250 WHEN id = 30 THEN 250 END WHERE id IN (11, 30).
-- Both rows are written back from the read: unsafe twice, RMW001 per row.
-- Recorded from Django 3.2.25 + psycopg2 2.9.5 through the proxy (internal/ormtraffic TestExternalORMs, python/django_cases.py). psycopg2 interpolates on the client: simple protocol.
-- setup: CREATE TABLE "cases_account" ("id" serial NOT NULL PRIMARY KEY, "owner" varchar(50) NOT NULL, "balance" integer NOT NULL, "version" integer NOT NULL)
-- setup: INSERT INTO cases_account VALUES (11, 'owner11', 100, 1), (30, 'owner30', 100, 1)
dj_bulk_update: SET TIME ZONE 'UTC'
dj_bulk_update: SELECT "cases_account"."id", "cases_account"."owner", "cases_account"."balance", "cases_account"."version" FROM "cases_account" WHERE "cases_account"."id" IN (11, 30) ORDER BY "cases_account"."id" ASC
dj_bulk_update: BEGIN
dj_bulk_update: UPDATE "cases_account" SET "balance" = CAST(CASE WHEN ("cases_account"."id" = 11) THEN 250 WHEN ("cases_account"."id" = 30) THEN 250 ELSE NULL END AS integer) WHERE "cases_account"."id" IN (11, 30)   -- want RMW001 /of row id=11/   -- want RMW001 /of row id=30/
dj_bulk_update: COMMIT
