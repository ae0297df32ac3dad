-- Unsafe: Rails reads by customer_name and updates by id; the returned id ties them.
-- setup: CREATE TABLE bookings (id uuid PRIMARY KEY, customer_name text, seat_count int);
-- setup: INSERT INTO bookings VALUES ('1f44c1a0-5c3e-4d2a-9f1e-000000000001', 'Alice', 1);
web: SELECT "bookings".* FROM "bookings" WHERE "bookings"."customer_name" = $1 LIMIT $2   -- args: 'Alice', 1
web: UPDATE "bookings" SET "seat_count" = $1 WHERE "bookings"."id" = $2   -- args: 2, '1f44c1a0-5c3e-4d2a-9f1e-000000000001'   -- want RMW001 /bookings.seat_count of row id=1f44c1a0-5c3e-4d2a-9f1e-000000000001/
