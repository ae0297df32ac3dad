-- Safe: Rails optimistic locking (lock_version), quoted identifiers.
-- setup: CREATE TABLE bookings (id uuid PRIMARY KEY, customer_name text, seat_count int, lock_version int NOT NULL DEFAULT 0);
-- setup: INSERT INTO bookings VALUES ('1f44c1a0-5c3e-4d2a-9f1e-000000000001', 'Alice', 1, 0);
web: SELECT "bookings".* FROM "bookings" WHERE "bookings"."customer_name" = $1 LIMIT $2   -- args: 'Alice', 1
web: UPDATE "bookings" SET "seat_count" = $1, "lock_version" = $2 WHERE "bookings"."id" = $3 AND "bookings"."lock_version" = $4   -- args: 2, 1, '1f44c1a0-5c3e-4d2a-9f1e-000000000001', 0
