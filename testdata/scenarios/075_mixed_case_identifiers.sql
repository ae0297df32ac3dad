-- Quoted mixed-case identifiers are distinct names; the same quoted name matches.
-- setup: CREATE TABLE "Users" ("Id" int PRIMARY KEY, "Balance" int NOT NULL, balance int NOT NULL DEFAULT 0);
-- setup: INSERT INTO "Users" VALUES (42, 100, 0);
s: SELECT "Balance" FROM "Users" WHERE "Id" = $1                -- args: 42
s: UPDATE "Users" SET balance = $1 WHERE "Id" = $2             -- args: 5, 42
s: UPDATE "Users" SET "Balance" = $1 WHERE "Id" = $2           -- args: 250, 42   -- want RMW001
