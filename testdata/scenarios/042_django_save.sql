-- Unsafe: Django Model.save() writes back the fields it loaded.
-- setup: CREATE TABLE "app_account" (id int PRIMARY KEY, owner text, balance int);
-- setup: INSERT INTO "app_account" VALUES (3, 'kim', 10);
dj: SELECT "app_account"."id", "app_account"."owner", "app_account"."balance" FROM "app_account" WHERE "app_account"."id" = $1 LIMIT 21   -- args: 3
dj: UPDATE "app_account" SET "owner" = $1, "balance" = $2 WHERE "app_account"."id" = $3   -- args: 'kim', 15, 3   -- want RMW001 /app_account.owner, balance of row id=3/
