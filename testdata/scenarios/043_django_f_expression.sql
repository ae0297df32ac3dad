-- Safe: Django F() expressions compile to an atomic update.
-- setup: CREATE TABLE "app_account" (id int PRIMARY KEY, owner text, balance int);
-- setup: INSERT INTO "app_account" VALUES (3, 'kim', 10);
dj: SELECT "app_account"."id", "app_account"."balance" FROM "app_account" WHERE "app_account"."id" = $1 LIMIT 21   -- args: 3
dj: UPDATE "app_account" SET "balance" = ("app_account"."balance" + $1) WHERE "app_account"."id" = $2   -- args: 5, 3
