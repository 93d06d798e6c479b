-- Probabilities of default (SPEC 5.3): crisk.score_pd, crisk.score.pd
-- written by rescoring, the expected credit loss as PD x LGD x exposure,
-- and the model_drift alert.  Figures worked out by hand in the comments.
\set VERBOSITY terse

-- crisk.score_pd = 1 / (1 + exp(-(intercept + slope * score))).
-- score 20, intercept 0, slope -0.05: z = -1, 1 / (1 + e) = 0.268941421369995.
-- score 0, intercept -ln 9: 1 / (1 + 9) = 0.1.
-- score 100, intercept 3, slope -0.03: z = 0, 0.5.
SELECT round(crisk.score_pd(20, 0, -0.05)::numeric, 15) AS pd_20,
       round(crisk.score_pd(0, -ln(9::float8), 0)::numeric, 15) AS pd_tenth,
       crisk.score_pd(100, 3, -0.03) AS pd_half;
-- No overflow at extreme calibrations: 1 and 0 (not an error).
SELECT crisk.score_pd(0, 1000, 0) AS certain, crisk.score_pd(100, -1000, -10) AS never;
-- Bad input.
SELECT crisk.score_pd(101, 0, -0.05);
SELECT crisk.score_pd(-1, 0, -0.05);
SELECT crisk.score_pd(50, 'NaN', -0.05);
SELECT crisk.score_pd(50, 0, 'Infinity');
SELECT crisk.score_pd(NULL, 0, -0.05) IS NULL AS null_score_unknown;

-- A fitted model: the default scorecard's bins under another name, with a
-- calibration of our own (intercept 1, slope -0.05).
INSERT INTO crisk.scorecard (model, characteristic, lower_bound, upper_bound, points)
SELECT 'pd_fitted', characteristic, lower_bound, upper_bound, points
FROM crisk.scorecard WHERE model = 'default';
INSERT INTO crisk.model_fit (model, sample, target, sample_size, bad_rate, characteristics,
                             information_values, coefficients, std_errors, pdo, base_score,
                             base_odds, points_scale, pd_intercept, pd_slope, class_shares)
VALUES ('pd_fitted', 'hand-made', 'bad', 1000, 0.1, '{late_share}', '{0.3}', '{-2, 1}', '{0.1, 0.1}',
        20, 50, 20, 1, 1, -0.05, '{0.9, 0, 0.1, 0, 0}');

-- crisk.probability_of_default: by the model's name.
-- pd_fitted at 60: z = 1 - 3 = -2, 1 / (1 + e^2) = 0.119202922022118.
SELECT round(crisk.probability_of_default('pd_fitted', 60)::numeric, 15) AS fitted_60,
       crisk.probability_of_default('default', 60) AS expert_60;
SELECT crisk.probability_of_default('no_such_model', 60);
SELECT crisk.probability_of_default('pd_fitted', 101);

-- Rescoring writes the PD of each customer: under the fitted model, the
-- score's PD; under the expert model, NULL.
-- (Limits locked: this test changes none.)
INSERT INTO crisk.account (customer_id, name, segment, credit_limit, limit_locked, payment_terms_days, model) VALUES
    ('PD1', 'Fitted, pays on time', 'retail', 10000, true, 30, 'pd_fitted'),
    ('PD2', 'Fitted, pays late', 'industry', 10000, true, 30, 'pd_fitted'),
    ('PD3', 'Expert model', 'retail', 10000, true, 30, 'default'),
    ('PD4', 'Fitted, in credit', NULL, 10000, true, 30, 'pd_fitted');
INSERT INTO crisk.invoice (invoice_id, customer_id, amount, issue_date, due_date, paid_date) VALUES
    ('PD1-1', 'PD1', 1000.00, '2026-01-05', '2026-02-04', '2026-02-04'),
    ('PD1-2', 'PD1', 2000.00, '2026-04-01', '2026-05-01', NULL),
    ('PD2-1', 'PD2', 4000.00, '2026-01-05', '2026-02-04', '2026-03-20'),
    ('PD2-2', 'PD2', 3000.00, '2026-02-01', '2026-03-03', NULL),
    ('PD3-1', 'PD3', 1500.00, '2026-04-01', '2026-05-01', NULL),
    ('PD4-1', 'PD4', 1000.00, '2026-01-05', '2026-02-04', '2026-02-04'),
    ('PD4-2', 'PD4', -500.00, '2026-04-10', '2026-04-10', NULL);
SELECT crisk.rescore(ARRAY['PD1', 'PD2', 'PD3', 'PD4'], '2026-04-30') AS scored;
SELECT customer_id, model, score,
       abs(pd - 1 / (1 + exp(-(1 - 0.05 * score::float8)))) < 1e-15 AS pd_is_the_scores,
       pd IS NULL AS pd_unknown
FROM crisk.score WHERE customer_id LIKE 'PD%' ORDER BY customer_id;
-- The history carries it too.
SELECT customer_id, pd IS NOT DISTINCT FROM (SELECT s.pd FROM crisk.score s WHERE s.customer_id = h.customer_id) AS same_pd
FROM crisk.score_history AS h WHERE customer_id LIKE 'PD%' ORDER BY customer_id;

-- Expected credit loss as PD x LGD x exposure, the aggregate.
-- 1000.00 x 0.1 x 0.45 = 45.00; 2500.50 x 0.02 x 0.6 = 30.006; 300 x 1 x 1 = 300;
-- -80 (in credit) counts 0; a NULL PD is skipped: 375.006, rounded 375.01.
SELECT crisk.expected_credit_loss(exposure, pd, lgd) AS ecl
FROM (VALUES (1000.00, 0.1::float8, 0.45), (2500.50, 0.02, 0.6), (300, 1, 1),
             (-80, 0.5, 0.45), (900, NULL, 0.45)) AS t(exposure, pd, lgd);
-- No rows, or only rows with a NULL: NULL.
SELECT crisk.expected_credit_loss(exposure, pd, lgd) AS no_rows
FROM (VALUES (1000.00, 0.1::float8, 0.45)) AS t(exposure, pd, lgd) WHERE false;
-- Half a cent rounds up once, on the total: 0.005 + 0.005 = 0.01 (not 0.01 + 0.01).
SELECT crisk.expected_credit_loss(exposure, pd, lgd) AS half_cents
FROM (VALUES (0.01, 0.5::float8, 1.0), (0.01, 0.5::float8, 1.0)) AS t(exposure, pd, lgd);
SELECT crisk.expected_credit_loss(100, 1.5, 0.45);
SELECT crisk.expected_credit_loss(100, 0.5, 1.2);
SELECT crisk.expected_credit_loss(100, 'NaN', 0.45);

-- Per customer, from crisk.score: LGD by segment, else crisk.default_lgd.
INSERT INTO crisk.lgd (segment, loss_given_default, note) VALUES ('retail', 0.6, 'recoveries 40 %');
SET crisk.default_lgd = 0.3;
SELECT customer_id, segment, model, exposure, lgd,
       expected_credit_loss = round(greatest(exposure, 0) * pd::numeric * lgd, 2) AS product_to_the_cent,
       expected_credit_loss
FROM crisk.expected_credit_loss_by_pd() WHERE customer_id LIKE 'PD%' ORDER BY customer_id;
-- PD4 is in credit: 0.  PD3 (expert model): NULL.
RESET crisk.default_lgd;
SET crisk.default_lgd = 1.5;
RESET crisk.default_lgd;
INSERT INTO crisk.lgd (segment, loss_given_default) VALUES ('bad', 1.5);

-- model_drift.  The development sample of pd_fitted: 90 % in class A, 10 %
-- in class C.  Its three customers now: PD1 and PD4 in A, PD2 in C, so
-- PSI = (2/3 - 0.9) ln((2/3) / 0.9) + (1/3 - 0.1) ln((1/3) / 0.1)
--     = 0.07002 + 0.28093 = 0.35095, above 0.25, but fewer than 100
-- customers: no alert.
SELECT model, customers, round(psi::numeric, 5) AS psi, alert_raised FROM crisk.check_model_drift();
-- 120 more customers under the model who pay on time (class A): A holds
-- 122 of 123, C 1, PSI = (122/123 - 0.9) ln((122/123) / 0.9)
-- + (1/123 - 0.1) ln((1/123) / 0.1) = 0.00893 + 0.23055 = 0.23948: below 0.25.
INSERT INTO crisk.account (customer_id, name, credit_limit, limit_locked, payment_terms_days, model)
SELECT 'PDX' || k, 'Drift ' || k, 10000, true, 30, 'pd_fitted' FROM generate_series(1, 120) AS k;
INSERT INTO crisk.invoice (invoice_id, customer_id, amount, issue_date, due_date, paid_date)
SELECT 'PDX' || k || '-1', 'PDX' || k, 1000.00, '2026-01-05', '2026-02-04', '2026-02-04'
FROM generate_series(1, 120) AS k;
SELECT crisk.rescore(ARRAY(SELECT 'PDX' || k FROM generate_series(1, 120) AS k), '2026-04-30') AS scored;
SELECT risk_class, count(*) FROM crisk.score WHERE model = 'pd_fitted' GROUP BY 1 ORDER BY 1;
SELECT model, customers, round(psi::numeric, 5) AS psi, alert_raised FROM crisk.check_model_drift();
SELECT count(*) AS model_drift_alerts FROM crisk.alert WHERE kind = 'model_drift';
-- With the threshold at 0.2, it has drifted: one alert for the model.
SET crisk.model_drift_psi = 0.2;
SELECT model, customers, round(psi::numeric, 5) AS psi, alert_raised FROM crisk.check_model_drift();
SELECT kind, customer_id, condition_key, severity, message, detail->'actual_shares' AS actual_shares
FROM crisk.alert WHERE kind = 'model_drift';
-- Not raised again while unacknowledged.
SELECT model, alert_raised FROM crisk.check_model_drift();
SELECT count(*) AS model_drift_alerts FROM crisk.alert WHERE kind = 'model_drift';
-- Acknowledged, it is raised again at the next check.
SELECT crisk.acknowledge_alert(alert_id, 'model under review') IS NOT NULL AS acknowledged
FROM crisk.alert WHERE kind = 'model_drift';
SELECT model, alert_raised FROM crisk.check_model_drift();
SELECT count(*) AS model_drift_alerts, count(*) FILTER (WHERE acknowledged_at IS NULL) AS open
FROM crisk.alert WHERE kind = 'model_drift';
RESET crisk.model_drift_psi;
-- A class empty in the development sample that now holds customers: the
-- PSI is infinite (crisk.psi), which passes any threshold.
UPDATE crisk.model_fit SET class_shares = '{1, 0, 0, 0, 0}' WHERE model = 'pd_fitted';
SELECT crisk.acknowledge_alert(alert_id) IS NOT NULL AS acknowledged
FROM crisk.alert WHERE kind = 'model_drift' AND acknowledged_at IS NULL;
SELECT model, customers, psi, alert_raised FROM crisk.check_model_drift();
SET crisk.model_drift_psi = -1;
SET crisk.model_drift_psi = 101;

-- Clean up.
DELETE FROM crisk.alert WHERE customer_id LIKE 'PD%' OR kind = 'model_drift';
DELETE FROM crisk.account WHERE customer_id LIKE 'PD%';
DELETE FROM crisk.invoice WHERE customer_id LIKE 'PD%';
DELETE FROM crisk.lgd;
DELETE FROM crisk.model_fit WHERE model = 'pd_fitted';
DELETE FROM crisk.scorecard WHERE model = 'pd_fitted';
TRUNCATE crisk.rescore_queue;
TRUNCATE crisk.job_run CASCADE;
