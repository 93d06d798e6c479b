-- The SQL contract of scoring and limits (SPEC 3.3): tables, keys and
-- constraints, function signatures and defaults, volatility, strictness,
-- parallel safety, triggers, pg_dump registration and privileges.
BEGIN;
SELECT plan(94);

-- crisk.scorecard
SELECT has_table('crisk', 'scorecard', 'crisk.scorecard exists');
SELECT columns_are('crisk', 'scorecard',
                   ARRAY['model', 'characteristic', 'lower_bound', 'upper_bound', 'points'],
                   'crisk.scorecard has the columns of the spec');
SELECT col_type_is('crisk', 'scorecard', 'model', 'text', 'scorecard.model is text');
SELECT col_type_is('crisk', 'scorecard', 'characteristic', 'text', 'scorecard.characteristic is text');
SELECT col_type_is('crisk', 'scorecard', 'lower_bound', 'double precision', 'scorecard.lower_bound is double precision');
SELECT col_type_is('crisk', 'scorecard', 'upper_bound', 'double precision', 'scorecard.upper_bound is double precision');
SELECT col_type_is('crisk', 'scorecard', 'points', 'integer', 'scorecard.points is integer');
SELECT col_not_null('crisk', 'scorecard', 'model', 'scorecard.model is NOT NULL');
SELECT col_not_null('crisk', 'scorecard', 'characteristic', 'scorecard.characteristic is NOT NULL');
SELECT col_is_null('crisk', 'scorecard', 'lower_bound', 'scorecard.lower_bound may be NULL (unbounded)');
SELECT col_is_null('crisk', 'scorecard', 'upper_bound', 'scorecard.upper_bound may be NULL (unbounded)');
SELECT col_not_null('crisk', 'scorecard', 'points', 'scorecard.points is NOT NULL');
SELECT col_is_unique('crisk', 'scorecard',
                     ARRAY['model', 'characteristic', 'lower_bound', 'upper_bound'],
                     'a bin appears once per model and characteristic');
SELECT ok((SELECT i.indnullsnotdistinct FROM pg_catalog.pg_index i
           WHERE i.indexrelid = 'crisk.scorecard_bin_unique'::regclass),
          'the bin key treats NULL bounds as equal, so a characteristic has one missing-value bin');
SELECT set_eq($$SELECT conname::text FROM pg_catalog.pg_constraint
                WHERE conrelid = 'crisk.scorecard'::regclass AND contype = 'c'$$,
              ARRAY['scorecard_model_named', 'scorecard_characteristic_known',
                    'scorecard_lower_bound_finite', 'scorecard_upper_bound_finite',
                    'scorecard_bin_not_empty', 'scorecard_points_range'],
              'crisk.scorecard checks its rows');

-- crisk.limit_policy
SELECT has_table('crisk', 'limit_policy', 'crisk.limit_policy exists');
SELECT columns_are('crisk', 'limit_policy',
                   ARRAY['policy', 'risk_class', 'max_increase', 'initial_limit', 'rounding',
                         'class_factor', 'tolerance_days', 'default_terms_days', 'review_days',
                         'breach_tolerance'],
                   'crisk.limit_policy has the columns of the spec (SPEC 5.1: class_factor replaces months_of_sales)');
SELECT col_type_is('crisk', 'limit_policy', 'policy', 'text', 'limit_policy.policy is text');
SELECT col_type_is('crisk', 'limit_policy', 'risk_class', 'text', 'limit_policy.risk_class is text');
SELECT col_type_is('crisk', 'limit_policy', 'class_factor', 'numeric', 'limit_policy.class_factor is numeric');
SELECT col_type_is('crisk', 'limit_policy', 'tolerance_days', 'integer', 'limit_policy.tolerance_days is integer');
SELECT col_type_is('crisk', 'limit_policy', 'default_terms_days', 'integer', 'limit_policy.default_terms_days is integer');
SELECT col_type_is('crisk', 'limit_policy', 'review_days', 'integer', 'limit_policy.review_days is integer');
SELECT col_default_is('crisk', 'limit_policy', 'review_days', '30', 'limit_policy.review_days defaults to 30');
SELECT col_type_is('crisk', 'limit_policy', 'max_increase', 'numeric', 'limit_policy.max_increase is numeric');
SELECT col_type_is('crisk', 'limit_policy', 'initial_limit', 'numeric', 'limit_policy.initial_limit is numeric');
SELECT col_type_is('crisk', 'limit_policy', 'rounding', 'numeric', 'limit_policy.rounding is numeric');
SELECT col_is_pk('crisk', 'limit_policy', ARRAY['policy', 'risk_class'],
                 'limit_policy''s primary key is (policy, risk_class)');
SELECT col_not_null('crisk', 'limit_policy', 'class_factor', 'limit_policy.class_factor is NOT NULL');
SELECT col_not_null('crisk', 'limit_policy', 'max_increase', 'limit_policy.max_increase is NOT NULL');
SELECT col_not_null('crisk', 'limit_policy', 'initial_limit', 'limit_policy.initial_limit is NOT NULL');
SELECT col_not_null('crisk', 'limit_policy', 'rounding', 'limit_policy.rounding is NOT NULL');

-- The shipped rows.
SELECT is((SELECT sum(max_points)::int FROM
               (SELECT max(points) AS max_points FROM crisk.scorecard
                WHERE model = 'default' GROUP BY characteristic) AS m),
          100, 'the default model''s best bins add up to 100');
SELECT set_eq($$SELECT DISTINCT characteristic FROM crisk.scorecard WHERE model = 'default'$$,
              ARRAY['avg_days_beyond_terms', 'late_share', 'max_days_late', 'utilization',
                    'altman_z', 'event_severity', 'relationship_months'],
              'the default model uses seven characteristics, event_severity in place of adverse_events (SPEC 5.1)');
SELECT is_empty($$SELECT * FROM crisk.validate_model('default')$$,
                'the default model has no problem, not even a warning');
SELECT set_eq($$SELECT risk_class FROM crisk.limit_policy WHERE policy = 'default'$$,
              ARRAY['A', 'B', 'C', 'D', 'E'], 'the default policy has a row per class');
SELECT is((SELECT class_factor FROM crisk.limit_policy
           WHERE policy = 'default' AND risk_class = 'E'),
          0::numeric, 'class E gets no credit under the default policy');

-- Triggers: cache invalidation (ALWAYS, so replicas follow too) and the
-- guard of the shipped rows.
SELECT trigger_is('crisk', 'scorecard', 'scorecard_changed', 'crisk', 'table_changed',
                  'scorecard changes invalidate the caches');
SELECT trigger_is('crisk', 'limit_policy', 'limit_policy_changed', 'crisk', 'table_changed',
                  'limit_policy changes invalidate the caches');
SELECT trigger_is('crisk', 'scorecard', 'scorecard_shipped_rows', 'crisk', 'shipped_rows_guard',
                  'scorecard guards its shipped rows');
SELECT trigger_is('crisk', 'scorecard', 'scorecard_no_truncate', 'crisk', 'shipped_rows_guard',
                  'scorecard refuses TRUNCATE');
SELECT trigger_is('crisk', 'limit_policy', 'limit_policy_shipped_rows', 'crisk', 'shipped_rows_guard',
                  'limit_policy guards its shipped rows');
SELECT trigger_is('crisk', 'limit_policy', 'limit_policy_no_truncate', 'crisk', 'shipped_rows_guard',
                  'limit_policy refuses TRUNCATE');
SELECT set_eq($$SELECT tgname::text || ':' || tgenabled::text FROM pg_catalog.pg_trigger
                WHERE tgrelid IN ('crisk.scorecard'::regclass, 'crisk.limit_policy'::regclass)
                  AND NOT tgisinternal$$,
              ARRAY['scorecard_changed:A', 'scorecard_shipped_rows:O', 'scorecard_no_truncate:O',
                    'limit_policy_changed:A', 'limit_policy_shipped_rows:O',
                    'limit_policy_no_truncate:O'],
              'cache triggers fire ALWAYS, guards on origin only');
SELECT is((SELECT tgtype::int & (4 | 8 | 16 | 32) FROM pg_catalog.pg_trigger
           WHERE tgrelid = 'crisk.scorecard'::regclass AND tgname = 'scorecard_changed'),
          4 | 8 | 16 | 32, 'scorecard_changed fires on INSERT, DELETE, UPDATE and TRUNCATE');
SELECT is((SELECT tgtype::int & (4 | 8 | 16 | 32) FROM pg_catalog.pg_trigger
           WHERE tgrelid = 'crisk.limit_policy'::regclass AND tgname = 'limit_policy_changed'),
          4 | 8 | 16 | 32, 'limit_policy_changed fires on INSERT, DELETE, UPDATE and TRUNCATE');

-- pg_dump keeps users' rows, not the shipped ones.
SELECT set_eq($$SELECT c.relname::text || ' ' || e.cond
                FROM pg_catalog.pg_extension x,
                     unnest(x.extconfig, x.extcondition) AS e(relid, cond)
                JOIN pg_catalog.pg_class c ON c.oid = e.relid
                WHERE x.extname = 'crisk'
                  AND c.relname IN ('scorecard', 'limit_policy')$$,
              ARRAY['scorecard WHERE model OPERATOR(pg_catalog.<>) ''default''',
                    'limit_policy WHERE policy OPERATOR(pg_catalog.<>) ''default'''],
              'both tables are configuration tables dumped without their shipped rows');

-- Functions: signatures, defaults, volatility, strictness, parallel safety.
SELECT has_function('crisk', 'credit_score',
                    ARRAY['crisk.payment_profile', 'double precision', 'integer',
                          'double precision', 'integer', 'text', 'integer', 'integer']);
SELECT function_returns('crisk', 'credit_score',
                        ARRAY['crisk.payment_profile', 'double precision', 'integer',
                              'double precision', 'integer', 'text', 'integer', 'integer'], 'integer');
SELECT is(pg_catalog.pg_get_function_arguments('crisk.credit_score(crisk.payment_profile,float8,int4,float8,int4,text,int4,int4)'::regprocedure),
          'profile crisk.payment_profile, altman_z double precision DEFAULT NULL::double precision, adverse_events integer DEFAULT 0, utilization double precision DEFAULT NULL::double precision, relationship_months integer DEFAULT NULL::integer, model text DEFAULT ''default''::text, event_severity integer DEFAULT 0, broken_promises_12m integer DEFAULT 0',
          'credit_score names its arguments and has the defaults of the spec');
SELECT volatility_is('crisk', 'credit_score',
                     ARRAY['crisk.payment_profile', 'double precision', 'integer',
                           'double precision', 'integer', 'text', 'integer', 'integer'], 'stable');
SELECT isnt_strict('crisk', 'credit_score',
                   ARRAY['crisk.payment_profile', 'double precision', 'integer',
                         'double precision', 'integer', 'text', 'integer', 'integer']);
SELECT function_lang_is('crisk', 'credit_score',
                        ARRAY['crisk.payment_profile', 'double precision', 'integer',
                              'double precision', 'integer', 'text', 'integer', 'integer'], 'c');

SELECT has_function('crisk', 'explain_score',
                    ARRAY['crisk.payment_profile', 'double precision', 'integer',
                          'double precision', 'integer', 'text', 'integer', 'integer']);
SELECT is(pg_catalog.pg_get_function_result('crisk.explain_score(crisk.payment_profile,float8,int4,float8,int4,text,int4,int4)'::regprocedure),
          'TABLE(characteristic text, value double precision, points integer, max_points integer)',
          'explain_score returns (characteristic, value, points, max_points)');
SELECT is(pg_catalog.pg_get_function_arguments('crisk.explain_score(crisk.payment_profile,float8,int4,float8,int4,text,int4,int4)'::regprocedure),
          pg_catalog.pg_get_function_arguments('crisk.credit_score(crisk.payment_profile,float8,int4,float8,int4,text,int4,int4)'::regprocedure),
          'explain_score takes the same arguments and defaults as credit_score');
SELECT volatility_is('crisk', 'explain_score',
                     ARRAY['crisk.payment_profile', 'double precision', 'integer',
                           'double precision', 'integer', 'text', 'integer', 'integer'], 'stable');
SELECT isnt_strict('crisk', 'explain_score',
                   ARRAY['crisk.payment_profile', 'double precision', 'integer',
                         'double precision', 'integer', 'text', 'integer', 'integer']);

SELECT has_function('crisk', 'risk_class', ARRAY['integer']);
SELECT function_returns('crisk', 'risk_class', ARRAY['integer'], 'text');
SELECT volatility_is('crisk', 'risk_class', ARRAY['integer'], 'immutable');
SELECT is_strict('crisk', 'risk_class', ARRAY['integer']);

SELECT has_function('crisk', 'recalibrated_limit',
                    ARRAY['numeric', 'integer', 'numeric', 'numeric', 'text', 'integer', 'numeric', 'text']);
SELECT function_returns('crisk', 'recalibrated_limit',
                        ARRAY['numeric', 'integer', 'numeric', 'numeric', 'text', 'integer', 'numeric', 'text'], 'numeric');
SELECT is(pg_catalog.pg_get_function_arguments('crisk.recalibrated_limit(numeric,int4,numeric,numeric,text,int4,numeric,text)'::regprocedure),
          'current_limit numeric, score integer, monthly_sales numeric, insured_cover numeric DEFAULT NULL::numeric, policy text DEFAULT ''default''::text, payment_terms_days integer DEFAULT NULL::integer, review_base_limit numeric DEFAULT NULL::numeric, class_cap text DEFAULT NULL::text',
          'recalibrated_limit names its arguments and has the defaults of the spec');
SELECT volatility_is('crisk', 'recalibrated_limit',
                     ARRAY['numeric', 'integer', 'numeric', 'numeric', 'text', 'integer', 'numeric', 'text'], 'stable');
SELECT isnt_strict('crisk', 'recalibrated_limit',
                   ARRAY['numeric', 'integer', 'numeric', 'numeric', 'text', 'integer', 'numeric', 'text']);

SELECT has_function('crisk', 'validate_model', ARRAY['text']);
SELECT is(pg_catalog.pg_get_function_result('crisk.validate_model(text)'::regprocedure),
          'TABLE(characteristic text, severity text, problem text)',
          'validate_model returns (characteristic, severity, problem)');
SELECT volatility_is('crisk', 'validate_model', ARRAY['text'], 'stable');

SELECT is_empty($$
    SELECT p.oid::regprocedure::text FROM pg_catalog.pg_proc p
    WHERE p.oid IN ('crisk.credit_score(crisk.payment_profile,float8,int4,float8,int4,text,int4,int4)'::regprocedure,
                    'crisk.explain_score(crisk.payment_profile,float8,int4,float8,int4,text,int4,int4)'::regprocedure,
                    'crisk.risk_class(int4)'::regprocedure,
                    'crisk.recalibrated_limit(numeric,int4,numeric,numeric,text,int4,numeric,text)'::regprocedure,
                    'crisk.validate_model(text)'::regprocedure)
      AND p.proparallel <> 's'
$$, 'the scoring functions are parallel safe');

-- Calls relying on the defaults work.
SELECT is(crisk.credit_score(NULL), 53, 'credit_score(profile) alone scores with the default model');
SELECT is((SELECT count(*)::int FROM crisk.explain_score(NULL)), 7,
          'explain_score(profile) alone explains the seven characteristics');
-- Class A, monthly 1 000, default terms 45 + 45 days: 1 000 x 12 / 365 x
-- 90 x 1.5 = 4 438.36, rounded down to 4 000.
SELECT is(crisk.recalibrated_limit(NULL, 90, 1000), 4000::numeric,
          'recalibrated_limit without cover and policy uses the default policy');

-- Errors keep their SQLSTATE (messages: sql/*.sql).
SELECT throws_ok($$SELECT crisk.credit_score(NULL, model => 'no_such_model')$$, '42704',
                 'scorecard model "no_such_model" does not exist');
SELECT throws_ok($$SELECT crisk.credit_score(NULL, model => NULL)$$, '22004',
                 'model must not be null');
SELECT throws_ok($$SELECT crisk.credit_score(NULL, adverse_events => -1)$$, '22023',
                 'adverse_events must not be negative');
SELECT throws_ok($$SELECT crisk.risk_class(101)$$, '22023', 'score must be between 0 and 100');
SELECT throws_ok($$SELECT crisk.recalibrated_limit(-1, 50, 100)$$, '22023',
                 'current_limit must not be negative');
SELECT throws_ok($$SELECT crisk.recalibrated_limit(1, 50, 100, policy => 'nope')$$, '42704',
                 'limit policy "nope" does not exist');
INSERT INTO crisk.scorecard VALUES ('contract_gap', 'late_share', NULL, NULL, 1),
                                   ('contract_gap', 'late_share', NULL, 0.1, 2),
                                   ('contract_gap', 'late_share', 0.2, NULL, 0);
SELECT throws_ok($$SELECT crisk.credit_score(NULL, model => 'contract_gap')$$, '42P17',
                 'scorecard model "contract_gap" is invalid: characteristic late_share has a gap: no bin covers values from 0.1 up to 0.2');
SELECT throws_ok($$UPDATE crisk.scorecard SET points = 0 WHERE model = 'default'$$, '23001',
                 'model "default" is shipped with crisk and cannot be changed');
SELECT throws_ok($$TRUNCATE crisk.limit_policy$$, '23001',
                 'crisk.limit_policy cannot be truncated');

-- Privileges: PUBLIC may neither read nor change the models and policies,
-- like every crisk table; it may run the scoring functions (which read the
-- cached model themselves), not the trigger functions.
SELECT table_privs_are('crisk', 'scorecard', 'public', ARRAY[]::text[],
                       'PUBLIC has no privilege on crisk.scorecard');
SELECT table_privs_are('crisk', 'limit_policy', 'public', ARRAY[]::text[],
                       'PUBLIC has no privilege on crisk.limit_policy');
SELECT ok(pg_catalog.has_function_privilege('public',
              'crisk.credit_score(crisk.payment_profile,float8,int4,float8,int4,text,int4,int4)', 'EXECUTE'),
          'PUBLIC may execute credit_score');
SELECT ok(pg_catalog.has_function_privilege('public',
              'crisk.explain_score(crisk.payment_profile,float8,int4,float8,int4,text,int4,int4)', 'EXECUTE'),
          'PUBLIC may execute explain_score');
SELECT ok(pg_catalog.has_function_privilege('public',
              'crisk.recalibrated_limit(numeric,int4,numeric,numeric,text,int4,numeric,text)', 'EXECUTE'),
          'PUBLIC may execute recalibrated_limit');
SELECT ok(NOT pg_catalog.has_function_privilege('public', 'crisk.shipped_rows_guard()', 'EXECUTE'),
          'PUBLIC may not execute the guard trigger function');

-- The same, as an ordinary role granted nothing.
CREATE ROLE crisk_contract_reader;
SET ROLE crisk_contract_reader;
SELECT throws_ok($$SELECT count(*) FROM crisk.scorecard$$,
                 '42501', NULL, 'an ordinary role cannot read the models');
SELECT is(crisk.credit_score(NULL, relationship_months => 40), 57,
          'an ordinary role scores');
SELECT throws_ok($$INSERT INTO crisk.scorecard VALUES ('mine', 'late_share', NULL, NULL, 1)$$,
                 '42501', NULL, 'an ordinary role cannot add bins');
SELECT throws_ok($$DELETE FROM crisk.scorecard WHERE model = 'contract_gap'$$,
                 '42501', NULL, 'an ordinary role cannot delete bins');
SELECT throws_ok($$UPDATE crisk.limit_policy SET rounding = 1$$,
                 '42501', NULL, 'an ordinary role cannot change policies');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
