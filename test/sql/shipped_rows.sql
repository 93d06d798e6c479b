-- The rows crisk ships (model "default" in crisk.scorecard, policy
-- "default" in crisk.limit_policy) cannot be changed or truncated away
-- (23001, restrict_violation, as for crisk.reference_rate): pg_dump leaves
-- them out, so a change would not survive a restore.  Users' own rows can
-- be changed freely.  Each error is followed by its SQLSTATE.

-- What pg_dump keeps: every row but the shipped ones.
SELECT c.relname, e.cond
FROM pg_catalog.pg_extension x,
     unnest(x.extconfig, x.extcondition) AS e(relid, cond)
JOIN pg_catalog.pg_class c ON c.oid = e.relid
WHERE x.extname = 'crisk' AND c.relname IN ('scorecard', 'limit_policy')
ORDER BY 1;

SELECT count(*) AS default_bins FROM crisk.scorecard WHERE model = 'default';
SELECT count(*) AS default_rows FROM crisk.limit_policy WHERE policy = 'default';

UPDATE crisk.scorecard SET points = points WHERE model = 'default';
\echo :LAST_ERROR_SQLSTATE
DELETE FROM crisk.scorecard WHERE model = 'default' AND characteristic = 'altman_z';
\echo :LAST_ERROR_SQLSTATE
INSERT INTO crisk.scorecard VALUES ('default', 'late_share', 0.9, 0.95, 0);
\echo :LAST_ERROR_SQLSTATE
TRUNCATE crisk.scorecard;
\echo :LAST_ERROR_SQLSTATE
UPDATE crisk.limit_policy SET initial_limit = 0 WHERE policy = 'default' AND risk_class = 'A';
\echo :LAST_ERROR_SQLSTATE
DELETE FROM crisk.limit_policy WHERE policy = 'default';
\echo :LAST_ERROR_SQLSTATE
TRUNCATE crisk.limit_policy;
\echo :LAST_ERROR_SQLSTATE

-- The way to change the default model: copy it, change the copy.
INSERT INTO crisk.scorecard (model, characteristic, lower_bound, upper_bound, points)
SELECT 'house', characteristic, lower_bound, upper_bound, points
FROM crisk.scorecard WHERE model = 'default';
UPDATE crisk.scorecard SET points = 3
WHERE model = 'house' AND characteristic = 'relationship_months' AND lower_bound IS NULL
  AND upper_bound = 6;
-- No history, a new relationship (0 months): the default model gives
-- 12 + 7 + 5 + 5 + 8 + 15 + 0 = 52; the copy gives 0 months 3 points: 55.
SELECT crisk.credit_score(NULL, relationship_months => 0) AS default_model,
       crisk.credit_score(NULL, relationship_months => 0, model => 'house') AS house_model;
-- ... but the copy cannot be renamed to, nor rows moved into, "default".
UPDATE crisk.scorecard SET model = 'default' WHERE model = 'house';
\echo :LAST_ERROR_SQLSTATE
DELETE FROM crisk.scorecard WHERE model = 'house';

-- The same for policies.
INSERT INTO crisk.limit_policy
SELECT 'house', risk_class, max_increase, initial_limit, rounding, class_factor,
       tolerance_days, default_terms_days, review_days, breach_tolerance
FROM crisk.limit_policy WHERE policy = 'default';
UPDATE crisk.limit_policy SET class_factor = 3 WHERE policy = 'house' AND risk_class = 'A';
-- A 100 000 limit, A (90), monthly sales 18 250 (600 a day), default terms
-- 45 + 45 days: the default target is 600 x 90 x 1.5 = 81 000, a decrease
-- to it; the house target is 600 x 90 x 3 = 162 000, a rise capped at
-- 100 000 x 1.5 = 150 000.
SELECT crisk.recalibrated_limit(100000, 90, 18250) AS default_policy,
       crisk.recalibrated_limit(100000, 90, 18250, policy => 'house') AS house_policy;
UPDATE crisk.limit_policy SET policy = 'default' WHERE policy = 'house' AND risk_class = 'B';
\echo :LAST_ERROR_SQLSTATE
DELETE FROM crisk.limit_policy WHERE policy = 'house';

-- Unchanged after all the attempts.
SELECT count(*) AS default_bins, sum(points) AS default_points
FROM crisk.scorecard WHERE model = 'default';
SELECT count(*) AS default_rows FROM crisk.limit_policy WHERE policy = 'default';

-- The guard is a trigger function only.
SELECT crisk.shipped_rows_guard();
\echo :LAST_ERROR_SQLSTATE
