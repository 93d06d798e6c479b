-- The SQL contract of the aging functions (SPEC 3.1): names, argument and
-- result types, defaults, volatility, strictness, parallel safety, language.
BEGIN;
SELECT plan(26);

SELECT has_function('crisk', 'days_past_due', ARRAY['date', 'date']);
SELECT function_returns('crisk', 'days_past_due', ARRAY['date', 'date'], 'integer');
SELECT volatility_is('crisk', 'days_past_due', ARRAY['date', 'date'], 'immutable');
SELECT is_strict('crisk', 'days_past_due', ARRAY['date', 'date']);
SELECT function_lang_is('crisk', 'days_past_due', ARRAY['date', 'date'], 'c');
SELECT is((SELECT proparallel FROM pg_catalog.pg_proc
           WHERE oid = 'crisk.days_past_due(date,date)'::regprocedure),
          's', 'days_past_due is parallel safe');

SELECT has_function('crisk', 'aging_bucket', ARRAY['date', 'date', 'integer[]']);
SELECT function_returns('crisk', 'aging_bucket', ARRAY['date', 'date', 'integer[]'], 'text');
SELECT volatility_is('crisk', 'aging_bucket', ARRAY['date', 'date', 'integer[]'], 'immutable');
SELECT is_strict('crisk', 'aging_bucket', ARRAY['date', 'date', 'integer[]']);
SELECT function_lang_is('crisk', 'aging_bucket', ARRAY['date', 'date', 'integer[]'], 'c');
SELECT is((SELECT proparallel FROM pg_catalog.pg_proc
           WHERE oid = 'crisk.aging_bucket(date,date,integer[])'::regprocedure),
          's', 'aging_bucket is parallel safe');
SELECT is(pg_catalog.pg_get_function_arguments('crisk.aging_bucket(date,date,integer[])'::regprocedure),
          'due_date date, as_of date, bounds integer[] DEFAULT ''{30,60,90}''::integer[]',
          'aging_bucket names its arguments and defaults bounds to {30,60,90}');
SELECT is(crisk.aging_bucket('2024-01-01', '2024-02-15'), '31-60',
          'aging_bucket can be called without bounds');

SELECT has_function('crisk', 'aging_bucket_index', ARRAY['date', 'date', 'integer[]']);
SELECT function_returns('crisk', 'aging_bucket_index', ARRAY['date', 'date', 'integer[]'], 'integer');
SELECT volatility_is('crisk', 'aging_bucket_index', ARRAY['date', 'date', 'integer[]'], 'immutable');
SELECT is_strict('crisk', 'aging_bucket_index', ARRAY['date', 'date', 'integer[]']);
SELECT is((SELECT proparallel FROM pg_catalog.pg_proc
           WHERE oid = 'crisk.aging_bucket_index(date,date,integer[])'::regprocedure),
          's', 'aging_bucket_index is parallel safe');
SELECT is(pg_catalog.pg_get_function_arguments('crisk.aging_bucket_index(date,date,integer[])'::regprocedure),
          'due_date date, as_of date, bounds integer[] DEFAULT ''{30,60,90}''::integer[]',
          'aging_bucket_index names its arguments and defaults bounds to {30,60,90}');

-- The errors keep their SQLSTATE (the message texts are in sql/aging.sql).
SELECT throws_ok($$SELECT crisk.aging_bucket('2024-01-01', '2024-03-01', '{}')$$,
                 '22023', 'bounds must not be empty');
SELECT throws_ok($$SELECT crisk.aging_bucket('2024-01-01', '2024-03-01', '{60,30}')$$,
                 '22023', 'bounds must be in strictly ascending order');
SELECT throws_ok($$SELECT crisk.aging_bucket('2024-01-01', '2024-03-01', '{30,NULL}')$$,
                 '22023', 'bounds must not contain nulls');
SELECT throws_ok($$SELECT crisk.days_past_due('infinity', '2024-03-01')$$,
                 '22023', 'due_date must be a finite date');

-- PUBLIC may call the pure functions: they read nothing.
SELECT ok(pg_catalog.has_function_privilege('public', 'crisk.aging_bucket(date,date,integer[])', 'EXECUTE'),
          'PUBLIC may execute aging_bucket');
SELECT ok(pg_catalog.has_function_privilege('public', 'crisk.days_past_due(date,date)', 'EXECUTE'),
          'PUBLIC may execute days_past_due');

SELECT * FROM finish();
ROLLBACK;
