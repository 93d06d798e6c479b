-- crisk.logistic_regression, crisk.auc and crisk.ks in parallel plans: the
-- plan has a Partial Aggregate under a Gather, workers run, and the results
-- equal the serial ones to the last bit (the state's patterns are sorted
-- before the final function reads them, so the order in which workers
-- gathered rows cannot show).

-- 200 000 customers: a class 0-9, a ratio with two decimals, a 0/1 flag;
-- bad drawn from a logistic model of the three.
SELECT setseed(0.5) IS NOT NULL AS seeded;
CREATE TABLE parallel_sample AS
SELECT class, ratio, flag,
       random() < 1 / (1 + exp(-(-2.0 + 0.15 * class - 1.2 * ratio + 0.7 * flag))) AS bad
FROM (SELECT (random() * 9.999)::int % 10 AS class,
             round(random()::numeric, 2)::float8 AS ratio,
             (random() < 0.3)::int AS flag
      FROM generate_series(1, 200000)) AS s;
ANALYZE parallel_sample;

SET max_parallel_workers_per_gather = 0;
SELECT crisk.logistic_regression(bad, ARRAY[class, ratio, flag])::text AS fit,
       crisk.auc(-class + ratio, bad)::text AS auc,
       crisk.ks(-class + ratio, bad)::text AS ks
FROM parallel_sample \gset serial_
SELECT string_agg(flag || ':' || fit, ';' ORDER BY flag) AS by_flag
FROM (SELECT flag, crisk.logistic_regression(bad, ARRAY[class, ratio])::text AS fit
      FROM parallel_sample GROUP BY flag) AS g \gset serial_

-- The fit is sensible: the coefficients the sample was drawn from are
-- within four standard errors.
SELECT bool_and(abs((:'serial_fit'::crisk.logit_fit).coefficients[i] - truth[i])
                < 4 * (:'serial_fit'::crisk.logit_fit).std_errors[i]) AS recovers_the_model,
       (:'serial_fit'::crisk.logit_fit).converged
FROM (SELECT ARRAY[-2.0, 0.15, -1.2, 0.7]::float8[] AS truth) AS t, generate_series(1, 4) AS i;

SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;

EXPLAIN (COSTS OFF)
SELECT crisk.logistic_regression(bad, ARRAY[class, ratio, flag]),
       crisk.auc(-class + ratio, bad), crisk.ks(-class + ratio, bad)
FROM parallel_sample;

CREATE FUNCTION models_plan_of(query text) RETURNS SETOF text
LANGUAGE plpgsql AS $$
BEGIN
    RETURN QUERY EXECUTE 'EXPLAIN (COSTS OFF, ANALYZE, TIMING OFF, SUMMARY OFF) ' || query;
END $$;
SELECT count(*) FILTER (WHERE line ~ 'Partial Aggregate') AS partial_aggregates,
       count(*) FILTER (WHERE line ~ 'Workers Launched: [1-9]') AS gathers_with_workers
FROM models_plan_of($$SELECT crisk.logistic_regression(bad, ARRAY[class, ratio, flag]) FROM parallel_sample$$) AS line;

SELECT crisk.logistic_regression(bad, ARRAY[class, ratio, flag])::text = :'serial_fit' AS same_fit,
       crisk.auc(-class + ratio, bad)::text = :'serial_auc' AS same_auc,
       crisk.ks(-class + ratio, bad)::text = :'serial_ks' AS same_ks
FROM parallel_sample;

-- Grouped: a partial aggregation per group in the workers, then combined.
SELECT count(*) FILTER (WHERE line ~ 'Partial (Hash|Group)Aggregate') > 0 AS partial_grouped
FROM models_plan_of($$SELECT flag, crisk.logistic_regression(bad, ARRAY[class, ratio])
              FROM parallel_sample GROUP BY flag$$) AS line;
SELECT string_agg(flag || ':' || fit, ';' ORDER BY flag) = :'serial_by_flag' AS same_fits_by_flag
FROM (SELECT flag, crisk.logistic_regression(bad, ARRAY[class, ratio])::text AS fit
      FROM parallel_sample GROUP BY flag) AS g;

RESET max_parallel_workers_per_gather;
RESET min_parallel_table_scan_size;
RESET parallel_tuple_cost;
RESET parallel_setup_cost;
