-- ActiveRecord: a = Account.find(1); a.balance += 150; a.save! (dirty columns only, in BEGIN/COMMIT).
-- Unsafe: RMW001.
-- Recorded from ActiveRecord 6.1.7 + ruby-pg 1.4.5 through the proxy (internal/ormtraffic TestExternalORMs, ruby/activerecord_cases.rb). Prepared statements (extended protocol, named a1, a2, ...).
-- setup: CREATE TABLE "accounts" ("id" bigserial primary key, "owner" character varying, "balance" integer, "created_at" timestamp(6) NOT NULL, "updated_at" timestamp(6) NOT NULL)
-- setup: CREATE TABLE "wallets" ("id" bigserial primary key, "owner" character varying, "balance" integer, "lock_version" integer DEFAULT 0 NOT NULL, "created_at" timestamp(6) NOT NULL, "updated_at" timestamp(6) NOT NULL)
-- setup: INSERT INTO accounts (id, owner, balance, created_at, updated_at) VALUES (1, 'owner1', 100, now(), now())
ar_naive_save: SET client_min_messages TO 'warning'
ar_naive_save: SET standard_conforming_strings = on
ar_naive_save: SET intervalstyle = iso_8601
ar_naive_save: SET SESSION timezone TO 'UTC'
ar_naive_save: SELECT t.oid, t.typname FROM pg_type as t WHERE t.typname IN ('int2', 'int4', 'int8', 'oid', 'float4', 'float8', 'numeric', 'bool', 'timestamp', 'timestamptz')
ar_naive_save: SELECT t.oid, t.typname, t.typelem, t.typdelim, t.typinput, r.rngsubtype, t.typtype, t.typbasetype FROM pg_type as t LEFT JOIN pg_range as r ON oid = rngtypid WHERE t.typname IN ('int2', 'int4', 'int8', 'oid', 'float4', 'float8', 'text', 'varchar', 'char', 'name', 'bpchar', 'bool', 'bit', 'varbit', 'timestamptz', 'date', 'money', 'bytea', 'point', 'hstore', 'json', 'jsonb', 'cidr', 'inet', 'uuid', 'xml', 'tsvector', 'macaddr', 'citext', 'ltree', 'line', 'lseg', 'box', 'path', 'polygon', 'circle', 'time', 'timestamp', 'numeric', 'interval') OR t.typtype IN ('r', 'e', 'd') OR t.typinput = 'array_in(cstring,oid,integer)'::regprocedure OR t.typelem != 0
ar_naive_save: SHOW TIME ZONE
ar_naive_save: SELECT 1
ar_naive_save: SELECT c.relname FROM pg_class c LEFT JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ANY (current_schemas(false)) AND c.relkind IN ('r','v','m','p','f')
ar_naive_save: SELECT a.attname FROM ( SELECT indrelid, indkey, generate_subscripts(indkey, 1) idx FROM pg_index WHERE indrelid = '"accounts"'::regclass AND indisprimary ) i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[i.idx] ORDER BY i.idx
ar_naive_save: SELECT a.attname, format_type(a.atttypid, a.atttypmod), pg_get_expr(d.adbin, d.adrelid), a.attnotnull, a.atttypid, a.atttypmod, c.collname, col_description(a.attrelid, a.attnum) AS comment FROM pg_attribute a LEFT JOIN pg_attrdef d ON a.attrelid = d.adrelid AND a.attnum = d.adnum LEFT JOIN pg_type t ON a.atttypid = t.oid LEFT JOIN pg_collation c ON a.attcollation = c.oid AND a.attcollation <> t.typcollation WHERE a.attrelid = '"accounts"'::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum
ar_naive_save: SHOW max_identifier_length
ar_naive_save: SHOW search_path
ar_naive_save: SELECT "accounts".* FROM "accounts" WHERE "accounts"."id" = $1 LIMIT $2   -- args: 1, 1
ar_naive_save: BEGIN
ar_naive_save: UPDATE "accounts" SET "balance" = $1, "updated_at" = $2 WHERE "accounts"."id" = $3   -- args: 250, '2026-11-25 18:47:31.020867', 1   -- want RMW001 /accounts\..*balance.* of row id=1/
ar_naive_save: COMMIT
