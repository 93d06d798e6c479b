-- crisk.logistic_regression(y, x): fits whose maximum-likelihood estimates
-- have closed forms, the score equations at the fit, the gathering of rows
-- into patterns (order, NULLs, combine, text form), and every error.
-- Each failing statement is followed by its SQLSTATE.
\set VERBOSITY terse

-- Intercept only: 3 bad rows, 1 good.  b0 = ln(3/1); its standard error
-- is 1 / sqrt(n p (1 - p)) = 1 / sqrt(4 * 0.75 * 0.25); the log-likelihood
-- 3 ln(0.75) + ln(0.25).
SELECT abs(f.coefficients[1] - ln(3)) < 1e-12 AS intercept_is_log_odds,
       abs(f.std_errors[1] - 1 / sqrt(0.75)) < 1e-12 AS std_error,
       abs(f.log_likelihood - (3 * ln(0.75) + ln(0.25))) < 1e-12 AS log_likelihood,
       f.converged, cardinality(f.coefficients) AS coefficients
FROM (SELECT (crisk.logistic_regression(y, '{}')).*
      FROM (VALUES (true), (true), (true), (false)) AS t(y)) AS f;

-- One 0/1 characteristic: a 2 x 2 table.  x = 0: 2 bad, 3 good; x = 1:
-- 4 bad, 1 good.  b0 = ln(2/3), b1 = ln((4/1) / (2/3)) = ln 6 (the log odds
-- ratio); SE(b0) = sqrt(1/2 + 1/3), SE(b1) = sqrt(1/2 + 1/3 + 1/4 + 1/1);
-- each group fitted exactly: logL = 2 ln(2/5) + 3 ln(3/5) + 4 ln(4/5) + ln(1/5).
CREATE TABLE two_by_two (x double precision, bad boolean);
INSERT INTO two_by_two VALUES (0, true), (0, true), (0, false), (0, false), (0, false),
                              (1, true), (1, true), (1, true), (1, true), (1, false);
SELECT abs(f.coefficients[1] - ln(2.0 / 3)) < 1e-12 AS b0,
       abs(f.coefficients[2] - ln(6)) < 1e-12 AS b1_is_log_odds_ratio,
       abs(f.std_errors[1] - sqrt(1.0 / 2 + 1.0 / 3)) < 1e-12 AS se0,
       abs(f.std_errors[2] - sqrt(1.0 / 2 + 1.0 / 3 + 1.0 / 4 + 1)) < 1e-12 AS se1,
       abs(f.log_likelihood - (2 * ln(0.4) + 3 * ln(0.6) + 4 * ln(0.8) + ln(0.2))) < 1e-12 AS loglik,
       f.converged, f.iterations BETWEEN 3 AND 10 AS few_iterations
FROM (SELECT (crisk.logistic_regression(bad, ARRAY[x])).* FROM two_by_two) AS f;

-- A characteristic with three classes, coded as two indicators (class A is
-- the reference): A 1 bad 4 good, B 3 bad 3 good, C 6 bad 2 good.  The
-- saturated model gives b0 = ln(1/4), b_B = ln(1) - ln(1/4), b_C = ln(3) - ln(1/4).
CREATE TABLE three_classes (class text, bad boolean);
INSERT INTO three_classes
SELECT class, g <= bads
FROM (VALUES ('A', 1, 5), ('B', 3, 6), ('C', 6, 8)) AS c(class, bads, n),
     generate_series(1, n) AS g;
SELECT abs(f.coefficients[1] - ln(0.25)) < 1e-12 AS b0,
       abs(f.coefficients[2] - (0 - ln(0.25))) < 1e-12 AS b_b,
       abs(f.coefficients[3] - (ln(3) - ln(0.25))) < 1e-12 AS b_c,
       abs(f.std_errors[3] - sqrt(1.0 / 1 + 1.0 / 4 + 1.0 / 6 + 1.0 / 2)) < 1e-12 AS se_c
FROM (SELECT (crisk.logistic_regression(bad, ARRAY[(class = 'B')::int, (class = 'C')::int])).*
      FROM three_classes) AS f;

-- A continuous characteristic: at the maximum the score equations hold,
-- sum(y - p) = 0 and sum(x (y - p)) = 0, and the standard errors are the
-- square roots of the diagonal of the inverse of
-- [[sum w, sum w x], [sum w x, sum w x^2]], w = p (1 - p).
CREATE TABLE continuous (x double precision, bad boolean);
INSERT INTO continuous VALUES (0.5, false), (1.0, false), (1.5, true), (2.0, false),
    (2.5, false), (3.0, true), (3.5, false), (4.0, true), (4.5, true), (5.0, true), (2.0, true);
CREATE TABLE continuous_fit AS
SELECT (crisk.logistic_regression(bad, ARRAY[x])).* FROM continuous;
SELECT abs(sum(y - p)) < 1e-10 AS score_intercept,
       abs(sum(x * (y - p))) < 1e-10 AS score_slope,
       abs(max(f.std_errors[1]) - sqrt(sum(w * x * x) / (sum(w) * sum(w * x * x) - sum(w * x) ^ 2))) < 1e-10 AS se0,
       abs(max(f.std_errors[2]) - sqrt(sum(w) / (sum(w) * sum(w * x * x) - sum(w * x) ^ 2))) < 1e-10 AS se1,
       abs(max(f.log_likelihood) - sum(CASE WHEN bad THEN ln(p) ELSE ln(1 - p) END)) < 1e-10 AS loglik,
       bool_and(f.converged) AS converged
FROM continuous_fit AS f,
     LATERAL (SELECT x, bad, bad::int AS y,
                     1 / (1 + exp(-(f.coefficients[1] + f.coefficients[2] * x))) AS p
              FROM continuous) AS r,
     LATERAL (SELECT p * (1 - p) AS w) AS w;

-- The same rows in another order give the same fit to the last bit.
SELECT (SELECT crisk.logistic_regression(bad, ARRAY[x]) FROM (SELECT * FROM continuous ORDER BY x DESC) AS s)::text
       = (SELECT crisk.logistic_regression(bad, ARRAY[x]) FROM continuous)::text AS order_does_not_matter;

-- Rows with a NULL y, a NULL x or a NULL element are skipped; no rows (or
-- only skipped rows) give NULL.
SELECT (SELECT crisk.logistic_regression(bad, ARRAY[x])::text FROM
            (SELECT * FROM continuous UNION ALL
             VALUES (NULL, true), (7, NULL)) AS s)
       = (SELECT crisk.logistic_regression(bad, ARRAY[x])::text FROM continuous) AS nulls_skipped,
       (SELECT crisk.logistic_regression(bad, ARRAY[x]) FROM (SELECT * FROM two_by_two WHERE false) AS s) IS NULL AS no_rows,
       (SELECT crisk.logistic_regression(true, NULL::float8[])) IS NULL AS only_skipped_rows;

-- The state: one pattern per distinct x, with its counts of bad and good
-- rows, written sorted; it reads back to the same fit.
SELECT crisk.logistic_regression_transition(
           crisk.logistic_regression_transition(
               crisk.logistic_regression_transition(NULL, true, '{1,2.5}'),
               false, '{1,2.5}'),
           true, '{-0.0,3}')::text AS state;
SELECT 'columns=1 patterns=2 records=0:2,3;1:4,1'::crisk.outcome_counts::text AS read_back,
       crisk.logistic_regression_final('columns=1 patterns=2 records=0:2,3;1:4,1')::text
       = (SELECT crisk.logistic_regression(bad, ARRAY[x])::text FROM two_by_two) AS same_fit;
-- The state as an aggregate builds it (updated in place, grown when
-- full): ten thousand rows of four patterns stay four patterns, with
-- their counts; 3000 distinct patterns are all kept.
CREATE AGGREGATE gather_rows(boolean, float8[]) (
    SFUNC = crisk.logistic_regression_transition, STYPE = crisk.outcome_counts,
    COMBINEFUNC = crisk.outcome_counts_combine);
SELECT gather_rows(g % 3 = 0, ARRAY[(g % 2)::float8, (g % 4 / 2)::float8])::text AS compacted
FROM generate_series(1, 10000) AS g;
SELECT (regexp_match(gather_rows(g % 3 = 0, ARRAY[g::float8])::text, 'patterns=(\d+)'))[1] AS patterns,
       gather_rows(g % 3 = 0, ARRAY[g::float8])::text ~ '^columns=1 patterns=3000 records=1:0,1;2:0,1;3:1,0;' AS sorted
FROM generate_series(3000, 1, -1) AS g;
-- Gathered in two parts and combined (as parallel workers do), or
-- combined with an empty part, the rows give the same fit.
SELECT crisk.logistic_regression_final(crisk.outcome_counts_combine(
           (SELECT gather_rows(bad, ARRAY[x]) FROM continuous WHERE x < 2.5),
           (SELECT gather_rows(bad, ARRAY[x]) FROM continuous WHERE x >= 2.5)))::text
       = (SELECT crisk.logistic_regression(bad, ARRAY[x])::text FROM continuous) AS combined,
       crisk.logistic_regression_final(crisk.outcome_counts_combine(
           NULL, (SELECT gather_rows(bad, ARRAY[x]) FROM continuous)))::text
       = (SELECT crisk.logistic_regression(bad, ARRAY[x])::text FROM continuous) AS combined_with_empty;
CREATE TABLE many_patterns AS
SELECT g::float8 / 1000 AS x, (g * 7919) % 10 < 3 AS bad FROM generate_series(1, 3000) AS g;
SELECT f.converged, f.iterations < 20 AS few_iterations,
       abs(sum(r.bad::int - r.p)) < 1e-9 AS score_equation_holds
FROM (SELECT (crisk.logistic_regression(bad, ARRAY[x])).* FROM many_patterns) AS f,
     LATERAL (SELECT bad, 1 / (1 + exp(-(f.coefficients[1] + f.coefficients[2] * x))) AS p
              FROM many_patterns) AS r
GROUP BY f.converged, f.iterations;

-- No finite fit: separation, perfect and quasi-complete.
SELECT crisk.logistic_regression(bad, ARRAY[x])
FROM (VALUES (1, false), (2, false), (3, true), (4, true)) AS t(x, bad);
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.logistic_regression(bad, ARRAY[x])
FROM (VALUES (1, false), (2, false), (3, false), (3, true), (4, true), (5, true)) AS t(x, bad);
\echo :LAST_ERROR_SQLSTATE
-- A class with only good customers separates too.
SELECT crisk.logistic_regression(bad, ARRAY[(class = 'A')::int])
FROM (SELECT * FROM three_classes WHERE NOT (class = 'A' AND bad)) AS t;
\echo :LAST_ERROR_SQLSTATE
-- y the same on every row.
SELECT crisk.logistic_regression(true, ARRAY[x]) FROM continuous;
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.logistic_regression(false, ARRAY[x]) FROM continuous;
\echo :LAST_ERROR_SQLSTATE

-- No unique fit: a constant element, collinear elements.
\set VERBOSITY default
SELECT crisk.logistic_regression(bad, ARRAY[x, 2]) FROM continuous;
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.logistic_regression(bad, ARRAY[x, 1 - 2 * x]) FROM continuous;
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.logistic_regression(bad, ARRAY[(class = 'A')::int, (class = 'B')::int, (class = 'C')::int])
FROM three_classes;
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY terse

-- Bad x.
SELECT crisk.logistic_regression(bad, ARRAY[x, 'NaN']) FROM continuous;
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.logistic_regression(bad, ARRAY[x, '-Infinity']) FROM continuous;
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.logistic_regression(bad, ARRAY[[x, x]]) FROM continuous;
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.logistic_regression(bad, CASE WHEN x < 3 THEN ARRAY[x] ELSE ARRAY[x, x] END) FROM continuous;
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.logistic_regression(true, array_fill(1.0::float8, ARRAY[1001]));
\echo :LAST_ERROR_SQLSTATE

-- Malformed state text: 22P02, naming what is wrong.
\set VERBOSITY default
SELECT 'columns=1 patterns=1 records=0:1'::crisk.outcome_counts;
\echo :LAST_ERROR_SQLSTATE
SELECT 'columns=1 patterns=1 records=0:0,0'::crisk.outcome_counts;
\echo :LAST_ERROR_SQLSTATE
SELECT 'columns=1 patterns=1 records=0:0.5,1'::crisk.outcome_counts;
\echo :LAST_ERROR_SQLSTATE
SELECT 'columns=1 patterns=1 records=NaN:1,1'::crisk.outcome_counts;
\echo :LAST_ERROR_SQLSTATE
SELECT 'columns=2 patterns=1 records=0:1,1'::crisk.outcome_counts;
\echo :LAST_ERROR_SQLSTATE
SELECT 'columns=1 patterns=2 records=0:1,1'::crisk.outcome_counts;
\echo :LAST_ERROR_SQLSTATE
SELECT 'columns=1 patterns=1 records=0:1,1 extra'::crisk.outcome_counts;
\echo :LAST_ERROR_SQLSTATE
SELECT 'columns=1001 patterns=0 records='::crisk.outcome_counts;
\echo :LAST_ERROR_SQLSTATE
SELECT 'columns=0 patterns=60000000 records=:1,0'::crisk.outcome_counts;
\echo :LAST_ERROR_SQLSTATE
-- Partial states of different widths cannot be combined.
SELECT crisk.outcome_counts_combine('columns=1 patterns=1 records=0:1,1', 'columns=2 patterns=1 records=0,0:1,1');
\echo :LAST_ERROR_SQLSTATE

-- As a window aggregate: the final function runs, then more rows come into
-- the same state (its patterns were reordered for the fit, its hash table
-- rebuilt); each frame's fit equals the fit of its rows alone.
CREATE TEMP TABLE logit_window AS
SELECT g, (g % 7 < 3 OR g % 11 = 0) AS y, ARRAY[(g % 5)::float8, (g % 3)::float8, (g % 13)::float8] AS x
FROM generate_series(0, 399) AS g;
WITH windowed AS (
    SELECT DISTINCT g / 100 AS part,
           crisk.logistic_regression(y, x) OVER (ORDER BY g / 100)::text AS fit
    FROM logit_window),
direct AS (
    SELECT k AS part,
           (SELECT crisk.logistic_regression(y, x)::text FROM logit_window WHERE g / 100 <= k) AS fit
    FROM generate_series(0, 3) AS k)
SELECT d.part, w.fit = d.fit AS same_fit
FROM direct AS d JOIN windowed AS w USING (part)
ORDER BY d.part;
