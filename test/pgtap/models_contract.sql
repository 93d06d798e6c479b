-- The SQL contract of predictive models (SPEC 5.3) as far as 0.2.0 ships
-- it: the result type of crisk.logistic_regression, crisk.psi's signature,
-- volatility, strictness and parallel safety, that PUBLIC may run the
-- validation functions (they read only their arguments) but not those
-- that fit models or read the portfolio, and crisk.model_fit.
BEGIN;
SELECT plan(27);

SELECT has_composite('crisk', 'logit_fit', 'crisk.logit_fit exists');
SELECT columns_are('crisk', 'logit_fit',
                   ARRAY['coefficients', 'std_errors', 'log_likelihood', 'iterations', 'converged'],
                   'crisk.logit_fit has the fields of the spec');
SELECT is((SELECT pg_catalog.string_agg(a.atttypid::regtype::text, ', ' ORDER BY a.attnum)
           FROM pg_catalog.pg_attribute a
           WHERE a.attrelid = 'crisk.logit_fit'::regclass AND a.attnum > 0),
          'double precision[], double precision[], double precision, integer, boolean',
          'crisk.logit_fit fields have the types of the spec');

SELECT has_function('crisk', 'psi', ARRAY['double precision[]', 'double precision[]']);
SELECT function_returns('crisk', 'psi', ARRAY['double precision[]', 'double precision[]'], 'double precision');
SELECT is(pg_catalog.pg_get_function_arguments('crisk.psi(float8[], float8[])'::regprocedure),
          'expected_share double precision[], actual_share double precision[]',
          'psi names its arguments expected_share, actual_share');
SELECT volatility_is('crisk', 'psi', ARRAY['double precision[]', 'double precision[]'], 'immutable');
SELECT is_strict('crisk', 'psi', ARRAY['double precision[]', 'double precision[]']);
SELECT is((SELECT proparallel FROM pg_catalog.pg_proc WHERE oid = 'crisk.psi(float8[], float8[])'::regprocedure),
          's', 'psi is parallel safe');

SELECT ok(pg_catalog.has_function_privilege('public', p, 'EXECUTE'), 'PUBLIC may execute ' || p)
FROM unnest(ARRAY['crisk.psi(double precision[],double precision[])',
                  'crisk.logistic_regression(boolean,double precision[])',
                  'crisk.auc(double precision,boolean)']) AS p;

-- Fitting writes models and reads the portfolio: not for PUBLIC.
SELECT ok(NOT pg_catalog.has_function_privilege('public', p, 'EXECUTE'), 'PUBLIC may not execute ' || p)
FROM unnest(ARRAY['crisk.fit_scorecard(regclass,text,text[],text,integer,numeric,integer,numeric)',
                  'crisk.development_sample(date,interval,integer)',
                  'crisk.model_performance(text,regclass)']) AS p;
SELECT has_table('crisk', 'model_fit', 'crisk.model_fit exists');
SELECT col_is_pk('crisk', 'model_fit', 'model_fit_id', 'model_fit_id is the key of crisk.model_fit');

-- Probabilities of default, the expected credit loss by PD, drift.
SELECT col_type_is('crisk', 'score', 'pd', 'double precision', 'score.pd is double precision');
SELECT has_function('crisk', 'score_pd', ARRAY['integer', 'double precision', 'double precision']);
SELECT volatility_is('crisk', 'score_pd', ARRAY['integer', 'double precision', 'double precision'], 'immutable');
SELECT is_strict('crisk', 'score_pd', ARRAY['integer', 'double precision', 'double precision']);
SELECT is((SELECT proparallel FROM pg_catalog.pg_proc WHERE oid = 'crisk.score_pd(int4, float8, float8)'::regprocedure),
          's', 'score_pd is parallel safe');
SELECT ok(NOT pg_catalog.has_function_privilege('public', p, 'EXECUTE'), 'PUBLIC may not execute ' || p)
FROM unnest(ARRAY['crisk.expected_credit_loss_by_pd()',
                  'crisk.check_model_drift(bigint)']) AS p;
SELECT has_table('crisk', 'lgd', 'crisk.lgd exists');
SELECT col_is_pk('crisk', 'lgd', 'segment', 'crisk.lgd has a row per segment');
SELECT results_eq($$SELECT default_severity FROM crisk.alert_kind WHERE kind = 'model_drift'$$,
                  $$VALUES ('warning'::text)$$, 'model_drift is an alert kind');

SELECT * FROM finish();
ROLLBACK;
