-- Unsafe: Sequelize instance.save() with a model alias in the read.
-- setup: CREATE TABLE "Products" (id int PRIMARY KEY, stock int, "updatedAt" timestamptz);
-- setup: INSERT INTO "Products" VALUES (11, 5, now());
shop: SELECT "id", "stock", "updatedAt" FROM "Products" AS "Product" WHERE "Product"."id" = $1   -- args: 11
shop: UPDATE "Products" SET "stock"=$1,"updatedAt"=now() WHERE "id" = $2   -- args: 4, 11   -- want RMW001 /Products.stock/
