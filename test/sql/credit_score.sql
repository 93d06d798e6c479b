-- crisk.credit_score and crisk.explain_score with the shipped model
-- "default" and with a user model.  Each error is followed by its SQLSTATE.
--
-- The default model's bins (points in brackets; [lower, upper), NULL =
-- unbounded; "missing" = the missing-value bin):
--   avg_days_beyond_terms  <1 [25]  1-8 [21]  8-16 [16]  16-31 [10]  31-61 [4]  61+ [0]  missing [12]
--   late_share             <0.05 [15]  0.05-0.15 [12]  0.15-0.30 [8]  0.30-0.50 [4]  0.50+ [0]  missing [7]
--   max_days_late          <1 [10]  1-31 [7]  31-61 [4]  61-91 [2]  91+ [0]  missing [5]
--   utilization            <0.5 [10]  0.5-0.8 [8]  0.8-1.0 [5]  1.0-1.2 [2]  1.2+ [0]  missing [5]
--   altman_z               <1.23 [0]  1.23-2.0 [7]  2.0-2.9 [13]  2.9+ [20]  missing [8]
--   event_severity         <1 [15]  1-2 [8]  2-3 [3]  3+ [0]  missing [8]
--     (adverse_events, the count, is not in the default model since 0.2.0)
--   relationship_months    <6 [0]  6-12 [1]  12-36 [3]  36+ [5]  missing [1]

-- A payment profile with the three fields the scorecard reads; the other
-- fields are plausible but play no part.
CREATE FUNCTION pg_temp.profile(avg_days_beyond_terms float8, late_share float8,
                                max_days_late int)
RETURNS crisk.payment_profile LANGUAGE sql IMMUTABLE
RETURN ROW(24, 3, 240000, 30000, 8000, avg_days_beyond_terms, 4.5, late_share,
           max_days_late, 38, '2024-05-31')::crisk.payment_profile;

-- The best customer: on terms (-3 days), nothing late, Z' 3.1, no events
-- (severity 0),
-- 35 % of the limit used, 5 years' relationship:
-- 25 + 15 + 10 + 10 + 20 + 15 + 5 = 100.
SELECT crisk.credit_score(pg_temp.profile(-3, 0, 0), 3.1, 0, 0.35, 60, event_severity => 0) AS best;

-- The worst: 75 days beyond terms, 80 % paid late, an invoice 150 days
-- late, Z' 0.5 (distress), 4 events, one of severity 3, 150 % of the
-- limit, 2 months: 0.
SELECT crisk.credit_score(pg_temp.profile(75, 0.8, 150), 0.5, 4, 1.5, 2, event_severity => 3) AS worst;

-- A middling customer: 10 days beyond terms [16], 20 % late [8], worst 45
-- days [4], 90 % used [5], Z' 2.5 [13], one event of severity 1 [8],
-- 24 months [3]: 16 + 8 + 4 + 5 + 13 + 8 + 3 = 57, class C.
SELECT crisk.credit_score(pg_temp.profile(10, 0.2, 45), 2.5, 1, 0.9, 24, event_severity => 1) AS middling,
       crisk.risk_class(crisk.credit_score(pg_temp.profile(10, 0.2, 45), 2.5, 1, 0.9, 24, event_severity => 1)) AS class;
SELECT * FROM crisk.explain_score(pg_temp.profile(10, 0.2, 45), 2.5, 1, 0.9, 24, event_severity => 1);

-- Every lower bound belongs to its bin, every upper bound to the next one.
-- On the bounds: dbt 1 [21], late 0.05 [12], max 1 [7], util 0.5 [8],
-- z 1.23 [7], severity 1 [8], months 6 [1] = 64.
SELECT * FROM crisk.explain_score(pg_temp.profile(1, 0.05, 1), 1.23, 1, 0.5, 6, event_severity => 1);
-- Just below them: dbt 0.999 [25], late 0.0499 [15], max 0 [10],
-- util 0.4999 [10], z 1.2299 [0], severity 0 [15], months 5 [0] = 75.
SELECT crisk.credit_score(pg_temp.profile(0.999, 0.0499, 0), 1.2299, 0, 0.4999, 5, event_severity => 0) AS below_first_bounds;
-- The next bounds: dbt 8 [16], late 0.15 [8], max 31 [4], util 0.8 [5],
-- z 2.0 [13], severity 2 [3], months 12 [3] = 52; and just below them:
-- dbt 7.99 [21], late 0.1499 [12], max 30 [7], util 0.7999 [8],
-- z 1.9999 [7], severity 1 [8], months 11 [1] = 64.
SELECT crisk.credit_score(pg_temp.profile(8, 0.15, 31), 2.0, 2, 0.8, 12, event_severity => 2) AS second_bounds,
       crisk.credit_score(pg_temp.profile(7.99, 0.1499, 30), 1.9999, 1, 0.7999, 11, event_severity => 1) AS below_second;
-- Third bounds: dbt 16 [10], late 0.30 [4], max 61 [2], util 1.0 [2],
-- z 2.9 [20], severity 3 [0], months 36 [5] = 43.
-- Fourth bounds: dbt 31 [4], late 0.50 [0], max 91 [0], util 1.2 [0],
-- z 2.9 [20], severity 3 [0], months 36 [5] = 29.
-- Last: dbt 61 [0] with late 0.4999 [4], max 90 [2], util 1.1999 [2],
-- z 2.8999 [13], severity 2 [3], months 35 [3] = 27.
SELECT crisk.credit_score(pg_temp.profile(16, 0.30, 61), 2.9, 3, 1.0, 36, event_severity => 3) AS third_bounds,
       crisk.credit_score(pg_temp.profile(31, 0.50, 91), 2.9, 3, 1.2, 36, event_severity => 3) AS fourth_bounds,
       crisk.credit_score(pg_temp.profile(61, 0.4999, 90), 2.8999, 2, 1.1999, 35, event_severity => 2) AS last_bounds;

-- Extreme but valid values: paid 300 days early [25], a credit balance
-- (utilization -0.4) [10], a huge Z' [20], 10 000 events, severity 3 [0], 1 200
-- months [5], an invoice 100 000 days late [0], all late [0]:
-- 25 + 0 + 0 + 10 + 20 + 0 + 5 = 60.
SELECT crisk.credit_score(pg_temp.profile(-300, 1, 100000), 1e6, 10000, -0.4, 1200, event_severity => 3) AS extremes;

-- Missing inputs use the missing-value bins, never an error.
-- No payment history at all (NULL profile), nothing else known but the
-- default of no event (severity 0): 12 + 7 + 5 + 5 + 8 + 15 + 1 = 53.
SELECT crisk.credit_score(NULL) AS no_history;
SELECT * FROM crisk.explain_score(NULL);
-- Every argument NULL, event severity too: 12 + 7 + 5 + 5 + 8 + 8 + 1 = 46.
SELECT crisk.credit_score(NULL, NULL, NULL, NULL, NULL, event_severity => NULL) AS nothing_known;
-- A profile whose fields are all NULL scores like no profile: 53.
SELECT crisk.credit_score(ROW(0, 0, 0, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL)::crisk.payment_profile)
    AS empty_profile;
-- No Altman Z (no published accounts) [8] and no credit limit (NULL
-- utilization) [5] for an otherwise perfect customer:
-- 25 + 15 + 10 + 5 + 8 + 15 + 5 = 83.
SELECT crisk.credit_score(pg_temp.profile(-3, 0, 0), NULL, 0, NULL, 60) AS no_accounts_no_limit;

-- max_days_late is a maximum over late invoices.  NULL with a late share
-- of 0 means nothing was late: 0 days [10].  NULL with invoices late, or
-- with no late share either, is unknown [5].
SELECT characteristic, value, points
FROM crisk.explain_score(pg_temp.profile(-1, 0, NULL))
WHERE characteristic = 'max_days_late'
UNION ALL
SELECT characteristic, value, points
FROM crisk.explain_score(pg_temp.profile(-1, 0.2, NULL))
WHERE characteristic = 'max_days_late'
UNION ALL
SELECT characteristic, value, points
FROM crisk.explain_score(pg_temp.profile(-1, NULL, NULL))
WHERE characteristic = 'max_days_late';

-- Named arguments, as an ERP would call it: 90 % used [5] instead of the
-- missing-value bin [5]; events left at 0 [15]: 53 again, and with a
-- 40-month relationship [5] instead of missing [1]: 57.
SELECT crisk.credit_score(profile => NULL, utilization => 0.9) AS named,
       crisk.credit_score(NULL, relationship_months => 40) AS named_months;

-- explain_score's points add up to credit_score and never exceed
-- max_points, over 2 000 varied inputs (missing values included).
WITH inputs AS (
    SELECT g,
           CASE WHEN g % 11 = 0 THEN NULL ELSE (g % 97) - 20.5 END AS dbt,
           CASE WHEN g % 13 = 0 THEN NULL ELSE (g % 101) / 100.0 END AS late,
           CASE WHEN g % 17 = 0 THEN NULL ELSE g % 130 END AS max_late,
           CASE WHEN g % 7 = 0 THEN NULL ELSE (g % 31) / 10.0 - 0.5 END AS z,
           CASE WHEN g % 19 = 0 THEN NULL ELSE g % 5 END AS events,
           CASE WHEN g % 5 = 0 THEN NULL ELSE (g % 29) / 20.0 END AS util,
           CASE WHEN g % 23 = 0 THEN NULL ELSE g % 61 END AS months
    FROM generate_series(1, 2000) AS g
), scored AS (
    SELECT g,
           crisk.credit_score(pg_temp.profile(dbt, late, max_late), z, events, util, months, event_severity => least(events, 3)) AS score,
           (SELECT sum(points) FROM crisk.explain_score(pg_temp.profile(dbt, late, max_late),
                                                        z, events, util, months,
                                                        event_severity => least(events, 3))) AS explained,
           (SELECT count(*) FILTER (WHERE points > max_points OR points < 0)
            FROM crisk.explain_score(pg_temp.profile(dbt, late, max_late),
                                     z, events, util, months,
                                     event_severity => least(events, 3))) AS out_of_range
    FROM inputs
)
SELECT count(*) AS inputs,
       count(*) FILTER (WHERE score <> explained) AS sums_differ,
       sum(out_of_range) AS points_out_of_range,
       min(score) >= 0 AND max(score) <= 100 AS within_0_100,
       count(DISTINCT score) > 30 AS varied
FROM scored;

-- A user model that scores payment behaviour only:
--   avg_days_beyond_terms: <5 [60], 5+ [10], missing [30]
--   late_share:            <0.1 [40], 0.1+ [0], missing [20]
INSERT INTO crisk.scorecard (model, characteristic, lower_bound, upper_bound, points) VALUES
    ('payments_only', 'avg_days_beyond_terms', NULL, NULL, 30),
    ('payments_only', 'avg_days_beyond_terms', NULL,    5, 60),
    ('payments_only', 'avg_days_beyond_terms',    5, NULL, 10),
    ('payments_only', 'late_share', NULL, NULL, 20),
    ('payments_only', 'late_share', NULL,  0.1, 40),
    ('payments_only', 'late_share',  0.1, NULL,  0);
-- dbt 2 [60] + late 0.3 [0] = 60; the other arguments play no part, and
-- explain_score lists the model's two characteristics only.
SELECT crisk.credit_score(pg_temp.profile(2, 0.3, 80), 0.1, 7, 3.0, 0, 'payments_only') AS user_model;
SELECT * FROM crisk.explain_score(pg_temp.profile(2, 0.3, 80), model => 'payments_only');
-- No history: 30 + 20 = 50.
SELECT crisk.credit_score(NULL, model => 'payments_only') AS user_model_no_history;

-- The model may change from row to row of one query.
-- Row 1, default, dbt 2 [21] + late 0.3 [4] + max 80 [2] + util missing
-- [5] + z missing [8] + events 0 [15] + months missing [1] = 56;
-- row 2, payments_only: 60; row 3, default again: 56.
SELECT model, crisk.credit_score(pg_temp.profile(2, 0.3, 80), model => model) AS score
FROM (VALUES (1, 'default'), (2, 'payments_only'), (3, 'default')) AS t(n, model)
ORDER BY n;

-- A change to the model is seen by the next statement: late_share 0.1+
-- now earns 25, so 60 + 25 = 85.
UPDATE crisk.scorecard SET points = 25
WHERE model = 'payments_only' AND characteristic = 'late_share' AND lower_bound = 0.1;
SELECT crisk.credit_score(pg_temp.profile(2, 0.3, 80), model => 'payments_only') AS after_update;
-- Deleting the model makes it unknown.
DELETE FROM crisk.scorecard WHERE model = 'payments_only';
SELECT crisk.credit_score(NULL, model => 'payments_only');
\echo :LAST_ERROR_SQLSTATE

-- Bad values are refused, naming the argument (22023).
SELECT crisk.credit_score(pg_temp.profile(3, 1.5, 10));
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.credit_score(pg_temp.profile(3, -0.01, 10));
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.credit_score(pg_temp.profile(3, 'NaN', 10));
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.credit_score(pg_temp.profile('Infinity', 0.1, 10));
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.credit_score(pg_temp.profile('NaN', 0.1, 10));
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.credit_score(pg_temp.profile(3, 0.1, -1));
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.credit_score(NULL, altman_z => 'NaN');
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.credit_score(NULL, altman_z => '-Infinity');
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.credit_score(NULL, adverse_events => -1);
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.credit_score(NULL, utilization => 'Infinity');
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.credit_score(NULL, relationship_months => -3);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM crisk.explain_score(NULL, adverse_events => -2);
\echo :LAST_ERROR_SQLSTATE
-- Severities run from 0 to 3.
SELECT crisk.credit_score(NULL, event_severity => 4);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM crisk.explain_score(NULL, event_severity => -1);
\echo :LAST_ERROR_SQLSTATE
-- A NULL model name is meaningless (22004); an unknown one is 42704.
SELECT crisk.credit_score(NULL, model => NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM crisk.explain_score(NULL, model => NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.credit_score(NULL, model => 'no_such_model');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM crisk.explain_score(NULL, model => 'Default');
\echo :LAST_ERROR_SQLSTATE
-- A bad value on a later row is caught after good rows were scored.
SELECT crisk.credit_score(NULL, adverse_events => e) FROM (VALUES (0), (1), (-1)) AS t(e);
\echo :LAST_ERROR_SQLSTATE
