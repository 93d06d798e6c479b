-- The SQL contract of the receivables indicators (SPEC 3.1, 3.5): names,
-- argument and result types, defaults, volatility, strictness, parallel
-- safety, language, privileges, and the reference-rate table.
BEGIN;
SELECT plan(81);

-- dso, best_possible_dso, collection_effectiveness: IMMUTABLE STRICT C.
SELECT has_function('crisk', 'dso', ARRAY['numeric', 'numeric', 'integer']);
SELECT function_returns('crisk', 'dso', ARRAY['numeric', 'numeric', 'integer'], 'numeric');
SELECT volatility_is('crisk', 'dso', ARRAY['numeric', 'numeric', 'integer'], 'immutable');
SELECT is_strict('crisk', 'dso', ARRAY['numeric', 'numeric', 'integer']);
SELECT function_lang_is('crisk', 'dso', ARRAY['numeric', 'numeric', 'integer'], 'c');
SELECT is(pg_catalog.pg_get_function_arguments('crisk.dso(numeric,numeric,integer)'::regprocedure),
          'receivables numeric, credit_sales numeric, period_days integer',
          'dso names its arguments');

SELECT has_function('crisk', 'best_possible_dso', ARRAY['numeric', 'numeric', 'integer']);
SELECT function_returns('crisk', 'best_possible_dso', ARRAY['numeric', 'numeric', 'integer'], 'numeric');
SELECT volatility_is('crisk', 'best_possible_dso', ARRAY['numeric', 'numeric', 'integer'], 'immutable');
SELECT is_strict('crisk', 'best_possible_dso', ARRAY['numeric', 'numeric', 'integer']);
SELECT function_lang_is('crisk', 'best_possible_dso', ARRAY['numeric', 'numeric', 'integer'], 'c');
SELECT is(pg_catalog.pg_get_function_arguments('crisk.best_possible_dso(numeric,numeric,integer)'::regprocedure),
          'current_receivables numeric, credit_sales numeric, period_days integer',
          'best_possible_dso names its arguments');

SELECT has_function('crisk', 'collection_effectiveness',
                    ARRAY['numeric', 'numeric', 'numeric', 'numeric', 'integer']);
SELECT function_returns('crisk', 'collection_effectiveness',
                        ARRAY['numeric', 'numeric', 'numeric', 'numeric', 'integer'], 'numeric');
SELECT volatility_is('crisk', 'collection_effectiveness',
                     ARRAY['numeric', 'numeric', 'numeric', 'numeric', 'integer'], 'immutable');
SELECT is_strict('crisk', 'collection_effectiveness',
                 ARRAY['numeric', 'numeric', 'numeric', 'numeric', 'integer']);
SELECT function_lang_is('crisk', 'collection_effectiveness',
                        ARRAY['numeric', 'numeric', 'numeric', 'numeric', 'integer'], 'c');
SELECT is(pg_catalog.pg_get_function_arguments('crisk.collection_effectiveness(numeric,numeric,numeric,numeric,integer)'::regprocedure),
          'beginning_receivables numeric, credit_sales numeric, ending_receivables numeric, ending_current_receivables numeric, months integer',
          'collection_effectiveness names its arguments');

-- altman_z: IMMUTABLE but called on NULL input (z_double_prime ignores sales).
SELECT has_function('crisk', 'altman_z',
                    ARRAY['numeric', 'numeric', 'numeric', 'numeric', 'numeric', 'numeric', 'numeric', 'text']);
SELECT function_returns('crisk', 'altman_z',
                        ARRAY['numeric', 'numeric', 'numeric', 'numeric', 'numeric', 'numeric', 'numeric', 'text'],
                        'double precision');
SELECT volatility_is('crisk', 'altman_z',
                     ARRAY['numeric', 'numeric', 'numeric', 'numeric', 'numeric', 'numeric', 'numeric', 'text'],
                     'immutable');
SELECT isnt_strict('crisk', 'altman_z',
                   ARRAY['numeric', 'numeric', 'numeric', 'numeric', 'numeric', 'numeric', 'numeric', 'text']);
SELECT function_lang_is('crisk', 'altman_z',
                        ARRAY['numeric', 'numeric', 'numeric', 'numeric', 'numeric', 'numeric', 'numeric', 'text'],
                        'c');
SELECT is(pg_catalog.pg_get_function_arguments('crisk.altman_z(numeric,numeric,numeric,numeric,numeric,numeric,numeric,text)'::regprocedure),
          'working_capital numeric, retained_earnings numeric, ebit numeric, equity numeric, total_liabilities numeric, total_assets numeric, sales numeric, variant text DEFAULT ''z_prime''::text',
          'altman_z names its arguments and defaults variant to z_prime');
SELECT is(crisk.altman_z(200, 300, 150, 500, 400, 1000, NULL, 'z_double_prime')::numeric(10, 4), 4.6105,
          'altman_z gives a z_double_prime score without sales');
SELECT ok(crisk.altman_z(200, 300, 150, 500, 400, 1000, 1500) IS NOT NULL,
          'altman_z can be called without variant');

SELECT has_function('crisk', 'altman_zone', ARRAY['double precision', 'text']);
SELECT function_returns('crisk', 'altman_zone', ARRAY['double precision', 'text'], 'text');
SELECT volatility_is('crisk', 'altman_zone', ARRAY['double precision', 'text'], 'immutable');
SELECT is_strict('crisk', 'altman_zone', ARRAY['double precision', 'text']);
SELECT function_lang_is('crisk', 'altman_zone', ARRAY['double precision', 'text'], 'c');
SELECT is(pg_catalog.pg_get_function_arguments('crisk.altman_zone(double precision,text)'::regprocedure),
          'z double precision, variant text DEFAULT ''z_prime''::text',
          'altman_zone defaults variant to z_prime');
SELECT is(crisk.altman_zone(2.9), 'grey', 'altman_zone can be called without variant');

-- late_payment_interest: STABLE (it reads crisk.reference_rate), not STRICT
-- (a NULL annual_rate asks for the statutory rate).
SELECT has_function('crisk', 'late_payment_interest', ARRAY['numeric', 'date', 'date', 'numeric']);
SELECT function_returns('crisk', 'late_payment_interest', ARRAY['numeric', 'date', 'date', 'numeric'], 'numeric');
SELECT volatility_is('crisk', 'late_payment_interest', ARRAY['numeric', 'date', 'date', 'numeric'], 'stable');
SELECT isnt_strict('crisk', 'late_payment_interest', ARRAY['numeric', 'date', 'date', 'numeric']);
SELECT function_lang_is('crisk', 'late_payment_interest', ARRAY['numeric', 'date', 'date', 'numeric'], 'c');
SELECT is(pg_catalog.pg_get_function_arguments('crisk.late_payment_interest(numeric,date,date,numeric)'::regprocedure),
          'amount numeric, due_date date, paid_date date, annual_rate numeric DEFAULT NULL::numeric',
          'late_payment_interest defaults annual_rate to NULL');
SELECT is(crisk.late_payment_interest(10000.00, '2023-05-15', '2023-08-10'), 314.79,
          'late_payment_interest can be called without annual_rate');

SELECT has_function('crisk', 'recovery_indemnity', ARRAY['date', 'date']);
SELECT function_returns('crisk', 'recovery_indemnity', ARRAY['date', 'date'], 'numeric');
SELECT volatility_is('crisk', 'recovery_indemnity', ARRAY['date', 'date'], 'immutable');
SELECT is_strict('crisk', 'recovery_indemnity', ARRAY['date', 'date']);
SELECT function_lang_is('crisk', 'recovery_indemnity', ARRAY['date', 'date'], 'c');

-- Every function of this contract is parallel safe.
SELECT is_empty($$
    SELECT p.oid::regprocedure::text
    FROM pg_catalog.pg_proc p
    WHERE p.oid IN ('crisk.dso(numeric,numeric,integer)'::regprocedure,
                    'crisk.best_possible_dso(numeric,numeric,integer)'::regprocedure,
                    'crisk.collection_effectiveness(numeric,numeric,numeric,numeric,integer)'::regprocedure,
                    'crisk.altman_z(numeric,numeric,numeric,numeric,numeric,numeric,numeric,text)'::regprocedure,
                    'crisk.altman_zone(double precision,text)'::regprocedure,
                    'crisk.late_payment_interest(numeric,date,date,numeric)'::regprocedure,
                    'crisk.recovery_indemnity(date,date)'::regprocedure,
                    'crisk.reference_rate_shipped()'::regprocedure)
      AND p.proparallel OPERATOR(pg_catalog.<>) 's'
$$, 'the receivables functions are parallel safe');

-- The errors keep their SQLSTATE (message texts are in the regression tests).
SELECT throws_ok($$SELECT crisk.dso(1, -1, 30)$$, '22023', 'credit_sales must not be negative');
SELECT throws_ok($$SELECT crisk.dso(1, 1, 0)$$, '22023', 'period_days must be positive');
SELECT throws_ok($$SELECT crisk.collection_effectiveness(1, 1, 1, 1, 0)$$, '22023', 'months must be positive');
SELECT throws_ok($$SELECT crisk.altman_z(1, 1, 1, 1, 1, 0, 1)$$, '22023', 'total_assets must be positive');
SELECT throws_ok($$SELECT crisk.altman_z(1, 1, 1, 1, 1, 1, 1, 'zz')$$, '22023',
                 'variant must be one of ''z'', ''z_prime'', ''z_double_prime''');
SELECT throws_ok($$SELECT crisk.late_payment_interest(1, '2014-06-15', '2015-03-01')$$, '22023',
                 'due_date 2014-06-15 needs the ECB rate in force on 2014-01-01, which crisk.reference_rate does not hold');
SELECT throws_ok($$SELECT crisk.late_payment_interest(1, '2024-01-01', '2024-02-01', -0.01)$$, '22023',
                 'annual_rate must not be negative');

-- The reference-rate table.
SELECT has_table('crisk', 'reference_rate', 'crisk.reference_rate exists');
SELECT columns_are('crisk', 'reference_rate', ARRAY['valid_from', 'rate'],
                   'crisk.reference_rate has the columns of SPEC 3.5');
SELECT col_type_is('crisk', 'reference_rate', 'valid_from', 'date', 'valid_from is a date');
SELECT col_type_is('crisk', 'reference_rate', 'rate', 'numeric', 'rate is a numeric');
SELECT col_is_pk('crisk', 'reference_rate', 'valid_from', 'valid_from is the primary key');
SELECT col_not_null('crisk', 'reference_rate', 'rate', 'rate is NOT NULL');
SELECT has_trigger('crisk', 'reference_rate', 'reference_rate_changed',
                   'changes to crisk.reference_rate invalidate every session''s cache');
SELECT has_trigger('crisk', 'reference_rate', 'reference_rate_guard',
                   'shipped rates are guarded against changes');
SELECT has_trigger('crisk', 'reference_rate', 'reference_rate_no_truncate',
                   'crisk.reference_rate is guarded against TRUNCATE');
SELECT results_eq($$SELECT valid_from, rate FROM crisk.reference_rate ORDER BY valid_from$$,
                  $$SELECT valid_from, rate FROM crisk.reference_rate_shipped() ORDER BY valid_from$$,
                  'a fresh install holds exactly the shipped rates');
SELECT ok((SELECT min(valid_from) <= '2016-01-01' FROM crisk.reference_rate),
          'the rate in force on 1 January 2016 is shipped');
SELECT is((SELECT c.oid::regclass::text || ' ' || e.extcondition[pg_catalog.array_position(e.extconfig, c.oid)]
           FROM pg_catalog.pg_extension e, pg_catalog.pg_class c
           WHERE e.extname = 'crisk' AND c.oid = 'crisk.reference_rate'::regclass
             AND c.oid = ANY (e.extconfig)),
          'crisk.reference_rate WHERE NOT EXISTS (SELECT FROM crisk.reference_rate_shipped() AS s WHERE s.valid_from OPERATOR(pg_catalog.=) reference_rate.valid_from)',
          'pg_dump keeps the rows users add, not the shipped ones');

-- Privileges.  PUBLIC may run the pure functions and late_payment_interest
-- and read the public rates; only the owner, or whom the DBA grants it to,
-- may change them.
SELECT ok(pg_catalog.has_function_privilege('public', 'crisk.dso(numeric,numeric,integer)', 'EXECUTE'),
          'PUBLIC may execute dso');
SELECT ok(pg_catalog.has_function_privilege('public', 'crisk.best_possible_dso(numeric,numeric,integer)', 'EXECUTE'),
          'PUBLIC may execute best_possible_dso');
SELECT ok(pg_catalog.has_function_privilege('public', 'crisk.collection_effectiveness(numeric,numeric,numeric,numeric,integer)', 'EXECUTE'),
          'PUBLIC may execute collection_effectiveness');
SELECT ok(pg_catalog.has_function_privilege('public', 'crisk.altman_z(numeric,numeric,numeric,numeric,numeric,numeric,numeric,text)', 'EXECUTE'),
          'PUBLIC may execute altman_z');
SELECT ok(pg_catalog.has_function_privilege('public', 'crisk.altman_zone(double precision,text)', 'EXECUTE'),
          'PUBLIC may execute altman_zone');
SELECT ok(pg_catalog.has_function_privilege('public', 'crisk.late_payment_interest(numeric,date,date,numeric)', 'EXECUTE'),
          'PUBLIC may execute late_payment_interest');
SELECT ok(pg_catalog.has_function_privilege('public', 'crisk.recovery_indemnity(date,date)', 'EXECUTE'),
          'PUBLIC may execute recovery_indemnity');
SELECT ok(pg_catalog.has_function_privilege('public', 'crisk.reference_rate_shipped()', 'EXECUTE'),
          'PUBLIC may list the shipped rates (pg_dump''s filter calls it)');
SELECT ok(NOT pg_catalog.has_function_privilege('public', 'crisk.reference_rate_guard()', 'EXECUTE'),
          'PUBLIC may not execute the guard trigger function');
SELECT ok(NOT pg_catalog.has_table_privilege('public', 'crisk.reference_rate', 'SELECT'),
          'PUBLIC may not read crisk.reference_rate');
SELECT ok(NOT pg_catalog.has_table_privilege('public', 'crisk.reference_rate', 'INSERT, UPDATE, DELETE, TRUNCATE'),
          'PUBLIC may not change crisk.reference_rate');

-- A role without privileges computes statutory interest (reading the rates
-- with its own rights) but cannot add a rate; a role granted INSERT, as the
-- README says, can, and the triggers (whose functions PUBLIC may not
-- execute) still fire for it.
CREATE ROLE crisk_test_reader;
CREATE ROLE crisk_test_rate_keeper;
GRANT USAGE ON SCHEMA crisk TO crisk_test_reader, crisk_test_rate_keeper;
GRANT SELECT, INSERT, UPDATE, DELETE ON crisk.reference_rate TO crisk_test_rate_keeper;

SET ROLE crisk_test_reader;
SELECT crisk.late_payment_interest(10000.00, '2023-05-15', '2023-08-10') AS reader_interest \gset
RESET ROLE;
SELECT is(:'reader_interest'::numeric, 314.79, 'a role without privileges computes statutory interest');
SELECT throws_ok($$SET LOCAL ROLE crisk_test_reader;
                   INSERT INTO crisk.reference_rate VALUES ('2026-07-01', 0.0215)$$,
                 '42501', NULL, 'a role without privileges cannot add a rate');

SET ROLE crisk_test_rate_keeper;
INSERT INTO crisk.reference_rate VALUES ('2026-07-01', 0.0200);
RESET ROLE;
SELECT is((SELECT rate FROM crisk.reference_rate WHERE valid_from = '2026-07-01'), 0.0200,
          'a role granted INSERT adds a rate');
-- 36 500.00 late from 2026-07-01 to 2026-07-30, 30 days at 2.00 % + 10
-- points: 100 * 0.12 * 30 = 360.00.
SELECT is(crisk.late_payment_interest(36500.00, '2026-06-30', '2026-07-30'), 360.00,
          'the rate added is used by the next call');
SELECT throws_ok($$SET LOCAL ROLE crisk_test_rate_keeper;
                   UPDATE crisk.reference_rate SET rate = 0.05 WHERE valid_from = '2023-06-21'$$,
                 '23001', NULL, 'a role granted UPDATE still cannot change a shipped rate');

SELECT * FROM finish();
ROLLBACK;
