-- The SQL contract of crisk's aggregates (SPEC 3.2): names, argument names
-- and types, result types, parallel safety, a combine function and a real
-- (not internal) transition type with text input and output, so that
-- PostgreSQL can run them in parallel and Citus can combine them on worker
-- nodes.
BEGIN;
SELECT plan(112);

CREATE TEMP TABLE contract (name text, args text[], arguments text, result text, state text);
INSERT INTO contract VALUES
    ('aging', ARRAY['numeric', 'date', 'date'],
     'amount numeric, due_date date, as_of date', 'numeric[]', 'crisk.aging_state'),
    ('aging', ARRAY['numeric', 'date', 'date', 'integer[]'],
     'amount numeric, due_date date, as_of date, bounds integer[]', 'numeric[]', 'crisk.aging_state'),
    ('dso', ARRAY['numeric', 'date', 'date', 'date', 'integer'],
     'amount numeric, issue_date date, paid_date date, as_of date, period_days integer',
     'numeric', 'crisk.dso_state'),
    ('dso_countback', ARRAY['numeric', 'date', 'date', 'date'],
     'amount numeric, issue_date date, paid_date date, as_of date', 'numeric',
     'crisk.dso_countback_state'),
    ('payment_profile', ARRAY['numeric', 'date', 'date', 'date', 'date'],
     'amount numeric, issue_date date, due_date date, paid_date date, as_of date',
     'crisk.payment_profile', 'crisk.payment_profile_state'),
    ('concentration', ARRAY['numeric'], 'exposure numeric', 'double precision',
     'crisk.concentration_state'),
    ('expected_credit_loss', ARRAY['numeric', 'date', 'date', 'numeric[]'],
     'amount numeric, due_date date, as_of date, loss_rates numeric[]', 'numeric',
     'crisk.expected_credit_loss_state'),
    ('expected_credit_loss', ARRAY['numeric', 'date', 'date', 'numeric[]', 'integer[]'],
     'amount numeric, due_date date, as_of date, loss_rates numeric[], bounds integer[]', 'numeric',
     'crisk.expected_credit_loss_state'),
    ('logistic_regression', ARRAY['boolean', 'double precision[]'],
     'y boolean, x double precision[]', 'crisk.logit_fit', 'crisk.outcome_counts'),
    ('auc', ARRAY['double precision', 'boolean'], 'score double precision, bad boolean',
     'double precision', 'crisk.outcome_counts'),
    ('ks', ARRAY['double precision', 'boolean'], 'score double precision, bad boolean',
     'double precision', 'crisk.outcome_counts');

CREATE TEMP VIEW contract_aggregate AS
SELECT c.*, p.oid AS aggoid, p.proparallel, a.aggtransfn, a.aggcombinefn, a.aggfinalfn,
       a.aggtranstype::regtype AS aggtranstype, a.aggfinalmodify
FROM contract c
JOIN pg_catalog.pg_proc p
  ON p.oid = pg_catalog.format('crisk.%I(%s)', c.name, pg_catalog.array_to_string(c.args, ','))::regprocedure
JOIN pg_catalog.pg_aggregate a ON a.aggfnoid = p.oid;

-- Each aggregate exists with its signature, is an aggregate, returns the
-- spec's type and names its arguments as the spec does.
SELECT has_function('crisk', name, args) FROM contract ORDER BY name, args;
SELECT is_aggregate('crisk', name, args) FROM contract ORDER BY name, args;
SELECT function_returns('crisk', name, args, result) FROM contract ORDER BY name, args;
SELECT is(pg_catalog.pg_get_function_arguments(aggoid), arguments,
          name || ' names its arguments ' || arguments)
FROM contract_aggregate ORDER BY name, args;

-- Parallel safe, with a combine function, over a real state type.
SELECT is(proparallel, 's', name || '(' || array_to_string(args, ', ') || ') is parallel safe')
FROM contract_aggregate ORDER BY name, args;
SELECT isnt(aggcombinefn, 0::regproc, name || '(' || array_to_string(args, ', ') || ') has a combine function')
FROM contract_aggregate ORDER BY name, args;
SELECT isnt(aggtranstype, 'internal'::regtype,
            name || '(' || array_to_string(args, ', ') || ') does not use an internal state')
FROM contract_aggregate ORDER BY name, args;
SELECT is(aggtranstype::text, state, name || ' keeps its state in ' || state)
FROM contract_aggregate ORDER BY name, args;
SELECT is(aggfinalmodify, 'r', name || '(' || array_to_string(args, ', ') || ') final function only reads its state')
FROM contract_aggregate ORDER BY name, args;

-- Every support function (transition, combine, final) is parallel safe
-- and PUBLIC may run it (Citus checks the caller's EXECUTE right on them).
SELECT is_empty($$
    SELECT f::regprocedure::text
    FROM contract_aggregate, LATERAL (VALUES (aggtransfn), (aggcombinefn), (aggfinalfn)) AS s(f)
    JOIN pg_catalog.pg_proc p ON p.oid = s.f
    WHERE p.proparallel <> 's' OR NOT pg_catalog.has_function_privilege('public', p.oid, 'EXECUTE')
$$, 'every transition, combine and final function is parallel safe and executable by PUBLIC');

-- Each state type is a base type with text input and output, variable
-- length, double aligned, stored plain.
SELECT is_empty($$
    SELECT t.oid::regtype::text
    FROM (SELECT DISTINCT state FROM contract) c
    JOIN pg_catalog.pg_type t ON t.oid = c.state::regtype
    WHERE t.typtype <> 'b' OR t.typinput = 0 OR t.typoutput = 0 OR t.typlen <> -1
       OR t.typalign <> 'd' OR t.typstorage <> 'p'
$$, 'every state type is a variable-length base type with text input and output');

-- A state read back from its text form gives the same result.
SELECT is(crisk.aging_final(crisk.aging_transition(NULL, 12.34, '2024-01-01', '2024-03-31')::text::crisk.aging_state),
          '{0.00,0.00,0.00,12.34,0.00}'::numeric[], 'an aging state survives its text form');
SELECT is(crisk.dso_final(crisk.dso_transition(NULL, 50, '2024-03-02', NULL, '2024-03-31', 30)::text::crisk.dso_state),
          30.00, 'a dso state survives its text form');
SELECT is(crisk.auc_final(crisk.score_outcome_transition(crisk.score_outcome_transition(NULL, 2, false), 1, true)
                          ::text::crisk.outcome_counts),
          1::float8, 'an outcome_counts state survives its text form');

-- The errors keep their SQLSTATE (the message texts are in sql/).
SELECT throws_ok($$SELECT 'scale=3'::crisk.aging_state$$, '22P02', NULL,
                 'malformed state text raises 22P02');
SELECT throws_ok($$SELECT crisk.aging(x, '2024-01-01', '2024-03-31') FROM (VALUES ('NaN'::numeric)) t(x)$$,
                 '22023', 'amount must be a finite number', 'a NaN amount raises 22023');
SELECT throws_ok($$SELECT crisk.aging(x, '2024-01-01', '2024-03-31') FROM (VALUES (1e40)) t(x)$$,
                 '22003', 'amount is out of range for an exact total', 'an amount beyond the exact range raises 22003');
SELECT throws_ok($$SELECT crisk.dso(1, '2024-01-01', NULL, '2024-03-31', 0)$$,
                 '22023', 'period_days must be positive', 'a period of 0 days raises 22023');
SELECT throws_ok($$SELECT crisk.payment_profile(1, '2024-01-01', '2024-01-31', NULL, d)
                   FROM (VALUES ('2024-03-31'::date), ('2024-04-30')) t(d)$$,
                 '22023', 'as_of must be the same on every row of a group', 'two as_of in a group raise 22023');
SELECT throws_ok($$SELECT crisk.expected_credit_loss(1, '2024-01-01', '2024-03-31', '{0,1}')$$,
                 '22023', 'loss_rates must have one rate per aging bucket', 'a rate per bucket is required (22023)');

-- No rows give NULL.
SELECT ok((SELECT crisk.payment_profile(1, '2024-01-01', '2024-01-31', NULL, '2024-03-31') IS NULL
           FROM (SELECT 1) AS t WHERE false), 'payment_profile of no rows is NULL');
SELECT ok((SELECT crisk.concentration(1) IS NULL FROM (SELECT 1) AS t WHERE false),
          'concentration of no rows is NULL');

SELECT * FROM finish();
ROLLBACK;
