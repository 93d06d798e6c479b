-- The scoring functions are PARALLEL SAFE: in a parallel plan every worker
-- reads the model and the policy into its own cache (as of the latest
-- commit, which parallel mode allows) and scores exactly as a serial plan.

CREATE TABLE scoring_parallel AS
SELECT g AS customer,
       ROW(10, 1, 1000, 100, 50, (g % 97) - 20.5, 2, (g % 101) / 100.0, g % 130, 40,
           NULL)::crisk.payment_profile AS profile
FROM generate_series(1, 20000) AS g;
ANALYZE scoring_parallel;

-- A user model, so that workers must read rows beyond the shipped ones:
-- the default model with one more point for an unknown Altman Z.
INSERT INTO crisk.scorecard (model, characteristic, lower_bound, upper_bound, points)
SELECT 'parallel', characteristic, lower_bound, upper_bound,
       points + CASE WHEN characteristic = 'altman_z' AND lower_bound IS NULL
                          AND upper_bound IS NULL THEN 1 ELSE 0 END
FROM crisk.scorecard WHERE model = 'default';

-- Each customer scores one point more with 'parallel' than with 'default'
-- (its Altman Z is unknown).  Serially first:
SET max_parallel_workers_per_gather = 0;
SELECT sum(crisk.credit_score(profile, model => 'parallel')) AS scores,
       sum(crisk.recalibrated_limit(customer, customer % 101, 1000)) AS limits,
       count(*) FILTER (WHERE crisk.credit_score(profile)
                              <> crisk.credit_score(profile, model => 'parallel') - 1)
           AS off_by_other_than_one
FROM scoring_parallel \gset serial_

-- Then with a parallel plan: the same figures.
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF)
SELECT sum(crisk.credit_score(profile, model => 'parallel')) AS scores,
       sum(crisk.recalibrated_limit(customer, customer % 101, 1000)) AS limits,
       count(*) FILTER (WHERE crisk.credit_score(profile)
                              <> crisk.credit_score(profile, model => 'parallel') - 1)
           AS off_by_other_than_one
FROM scoring_parallel;
SELECT sum(crisk.credit_score(profile, model => 'parallel')) AS scores,
       sum(crisk.recalibrated_limit(customer, customer % 101, 1000)) AS limits,
       count(*) FILTER (WHERE crisk.credit_score(profile)
                              <> crisk.credit_score(profile, model => 'parallel') - 1)
           AS off_by_other_than_one
FROM scoring_parallel \gset parallel_
SELECT :parallel_scores = :serial_scores AS same_scores,
       :parallel_limits = :serial_limits AS same_limits,
       :parallel_off_by_other_than_one AS parallel_off,
       :serial_off_by_other_than_one AS serial_off,
       :serial_scores > 0 AS scored;

RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
DELETE FROM crisk.scorecard WHERE model = 'parallel';
DROP TABLE scoring_parallel;
