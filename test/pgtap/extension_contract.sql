-- The extension as a whole: schema, version, relocatability, and a comment
-- on every object users can see (a BI user reads them in their tool).
BEGIN;
SELECT plan(7);

SELECT has_schema('crisk');
SELECT is((SELECT extversion FROM pg_catalog.pg_extension WHERE extname = 'crisk'),
          '0.2.0', 'crisk is at version 0.2.0');
SELECT is((SELECT extrelocatable FROM pg_catalog.pg_extension WHERE extname = 'crisk'),
          false, 'crisk is not relocatable');
SELECT is((SELECT n.nspname::text FROM pg_catalog.pg_extension e
           JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace
           WHERE e.extname = 'crisk'),
          'crisk', 'crisk lives in schema crisk');

SELECT ok(pg_catalog.has_schema_privilege('public', 'crisk', 'USAGE'),
          'PUBLIC may use schema crisk (tables are revoked one by one)');

SELECT is_empty($$
    SELECT p.oid::regprocedure::text
    FROM pg_catalog.pg_proc p
    WHERE p.pronamespace = 'crisk'::regnamespace
      AND pg_catalog.obj_description(p.oid, 'pg_proc') IS NULL
$$, 'every crisk function and aggregate has a comment');

SELECT is_empty($$
    SELECT c.oid::regclass::text
    FROM pg_catalog.pg_class c
    WHERE c.relnamespace = 'crisk'::regnamespace
      AND c.relkind IN ('r', 'v', 'm', 'p', 'c')
      AND pg_catalog.obj_description(c.oid, 'pg_class') IS NULL
      AND pg_catalog.obj_description(c.reltype, 'pg_type') IS NULL
$$, 'every crisk table, view and type has a comment');

SELECT * FROM finish();
ROLLBACK;
