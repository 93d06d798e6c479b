-- crisk.fit_scorecard: a sample small enough to fit by hand, monotone
-- merging of bins, the fitted model in crisk.credit_score,
-- crisk.explain_score and crisk.validate_model, and every error.  Each
-- failing statement is followed by its SQLSTATE.
\set VERBOSITY terse

-- 200 customers, one characteristic with two values:
--   late_share 0.1: 80 good, 20 bad;  late_share 0.6: 40 good, 60 bad.
-- All: 120 good (G), 80 bad (B).
--   WoE(0.1) = ln((80/120) / (20/80)) = ln(8/3)  =  0.980829
--   WoE(0.6) = ln((40/120) / (60/80)) = ln(4/9)  = -0.810930
--   IV = (2/3 - 1/4) ln(8/3) + (1/3 - 3/4) ln(4/9) = 0.746567
-- The regression of bad on WoE fits both groups exactly: the log-odds of
-- bad is -WoE - ln(G/B), so the coefficient is -1 and the intercept
-- -ln(1.5) = -0.405465.
-- Points with pdo 20, base_score 60, base_odds 4: factor = 20 / ln 2 =
-- 28.853901, a bin earns -factor * (-1) * WoE: 28.300 and -23.398; the
-- worst bin is shifted to 0: 51.698 -> 52 and 0, the missing-value bin
-- (WoE 0) 23.398 -> 23.  The constant offset - factor * intercept + shift,
-- offset = 60 - factor * ln 4 = 20, is 20 + 11.699 - 23.398 = 8.301: 8
-- more points per bin.  So late_share below 0.6 earns 60 (good:bad odds
-- 4, the base), from 0.6 on 8 (odds 2/3: 20 + factor ln(2/3) = 8.30),
-- unknown 31.
CREATE TABLE two_groups (customer_id text, late_share double precision, bad boolean);
INSERT INTO two_groups
SELECT 'C' || g, CASE WHEN g <= 100 THEN 0.1 ELSE 0.6 END,
       CASE WHEN g <= 100 THEN g <= 20 ELSE g <= 160 END
FROM generate_series(1, 200) AS g;

SELECT model, sample, target, sample_size, bad_rate, characteristics,
       abs(information_values[1] - ((2.0 / 3 - 0.25) * ln(8.0 / 3) + (1.0 / 3 - 0.75) * ln(4.0 / 9))) < 1e-12 AS iv,
       abs(coefficients[1] + ln(1.5)) < 1e-9 AS intercept, abs(coefficients[2] + 1) < 1e-9 AS coefficient,
       pdo, base_score, base_odds, points_scale,
       abs(auc - (4800 + 0.5 * (1600 + 2400)) / 9600.0) < 1e-15 AS auc,
       abs(gini - (2 * 6800 / 9600.0 - 1)) < 1e-15 AS gini,
       abs(ks - (0.75 - 1.0 / 3)) < 1e-15 AS ks,
       -- PD(60) = 0.2 and PD(8) = 0.6 exactly: slope = (ln(1/4) - ln(3/2)) / 52
       abs(pd_slope - (ln(0.25) - ln(1.5)) / 52) < 1e-9 AS pd_slope,
       abs(pd_intercept - (ln(1.5) - 8 * (ln(0.25) - ln(1.5)) / 52)) < 1e-9 AS pd_intercept
FROM crisk.fit_scorecard('two_groups', 'two_groups', pdo => 20, base_score => 60, base_odds => 4);

SELECT characteristic, lower_bound, upper_bound, points
FROM crisk.scorecard WHERE model = 'two_groups'
ORDER BY characteristic, lower_bound NULLS FIRST, upper_bound NULLS FIRST;
SELECT * FROM crisk.validate_model('two_groups');

-- The model scores wherever a model name is accepted.
SELECT crisk.credit_score(ROW(1, 0, 100, 0, 0, NULL, NULL, 0.1, NULL, NULL, NULL)::crisk.payment_profile,
                          model => 'two_groups') AS low_late_share,
       crisk.credit_score(ROW(1, 0, 100, 0, 0, NULL, NULL, 0.9, NULL, NULL, NULL)::crisk.payment_profile,
                          model => 'two_groups') AS high_late_share,
       crisk.credit_score(NULL::crisk.payment_profile, model => 'two_groups') AS unknown;
SELECT characteristic, value, points, max_points
FROM crisk.explain_score(ROW(1, 0, 100, 0, 0, NULL, NULL, 0.3, NULL, NULL, NULL)::crisk.payment_profile,
                         model => 'two_groups');

-- The defaults: pdo 20, base_score 50, base_odds 20.  offset = 50 - factor
-- ln 20 = -36.44; the constant -36.44 + 11.70 - 23.40 is negative, so no
-- bin gets more than its shifted points: 52, 0, 23.
SELECT points_scale, pdo, base_score, base_odds FROM crisk.fit_scorecard('two_groups', 'two_groups_defaults');
SELECT lower_bound, upper_bound, points FROM crisk.scorecard WHERE model = 'two_groups_defaults'
ORDER BY lower_bound NULLS FIRST, upper_bound NULLS FIRST;

-- Monotone bins: late_share 0.1 has a bad rate of 20 %, 0.3 of 10 %
-- (fewer bads for a worse value), 0.6 of 60 %.  The first two bins merge
-- (bad rate 15 %); a value held only by good customers (0.9, 5 good)
-- merges with its neighbour.  Unknown values (10 customers, 5 bad) form
-- their own bin.
CREATE TABLE bumpy (late_share double precision, bad boolean);
INSERT INTO bumpy
SELECT v, g <= bads FROM (VALUES (0.1, 20, 100), (0.3, 10, 100), (0.6, 60, 100), (0.9, 0, 5), (NULL, 5, 10)) AS t(v, bads, n),
       generate_series(1, n) AS g;
SELECT characteristics, round(information_values[1]::numeric, 6) AS iv
FROM crisk.fit_scorecard('bumpy', 'bumpy', bins => 10);
SELECT lower_bound, upper_bound, points FROM crisk.scorecard WHERE model = 'bumpy'
ORDER BY lower_bound NULLS FIRST, upper_bound NULLS FIRST;
-- By hand: bins [.., 0.6) 30 bad 170 good, [0.6, ..) 60 bad 45 good,
-- unknown 5 bad 5 good; B = 95, G = 220.
SELECT abs(information_values[1] - (
           (170.0 / 220 - 30.0 / 95) * ln((170.0 / 220) / (30.0 / 95))
           + (45.0 / 220 - 60.0 / 95) * ln((45.0 / 220) / (60.0 / 95))
           + (5.0 / 220 - 5.0 / 95) * ln((5.0 / 220) / (5.0 / 95)))) < 1e-12 AS iv_by_hand
FROM crisk.model_fit WHERE model = 'bumpy';

-- A characteristic that tells nothing (every group of two_groups split
-- in halves with 0 and 1 adverse events: the same bad rate for both
-- values) is left out: IV 0, coefficient NULL, no scorecard rows.
CREATE TABLE one_useless AS
SELECT late_share, bad, substr(customer_id, 2)::int % 2 AS adverse_events FROM two_groups;
SELECT characteristics, information_values[2] AS iv_adverse_events, coefficients[3] IS NULL AS left_out
FROM crisk.fit_scorecard('one_useless', 'one_useless');
SELECT DISTINCT characteristic FROM crisk.scorecard WHERE model = 'one_useless';

-- crisk.model_performance on the development sample itself: the first
-- row repeats the fit's AUC, Gini and KS, PSI 0 (the same population);
-- class B (score 60) holds the 100 customers with late_share 0.1, 20 % bad,
-- class E (score 8) the other 100, 60 % bad, and the predicted PDs equal
-- the observed bad rates (two scores, two parameters: an exact fit).
SELECT risk_class, customers, bad_rate, abs(predicted_pd - bad_rate) < 1e-9 AS pd_matches,
       abs(auc - 6800 / 9600.0) < 1e-15 AS auc, psi
FROM crisk.model_performance('two_groups', 'two_groups');
-- A later population with 150 customers at late_share 0.1 and 50 at 0.6:
-- shares 0.75 and 0.25 in classes B and E against 0.5 and 0.5, PSI =
-- 0.25 ln(1.5) + (-0.25) ln(0.5) = 0.274653.
CREATE TABLE two_groups_later AS
SELECT CASE WHEN g <= 150 THEN 0.1 ELSE 0.6 END AS late_share, g % 4 = 0 AS bad
FROM generate_series(1, 200) AS g;
SELECT risk_class, customers, abs(psi - (0.25 * ln(1.5) - 0.25 * ln(0.5))) < 1e-12 AS psi_by_hand
FROM crisk.model_performance('two_groups', 'two_groups_later');
-- The shipped expert model on the same sample: ranking figures, no PSI or
-- PD (it was not fitted).
SELECT risk_class, customers, auc IS NOT NULL AS has_auc, psi, predicted_pd
FROM crisk.model_performance('default', 'two_groups') WHERE risk_class IS NULL;
SELECT * FROM crisk.model_performance('no_such_model', 'two_groups');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM crisk.model_performance(NULL, 'two_groups');
\echo :LAST_ERROR_SQLSTATE
CREATE TABLE no_outcome AS SELECT late_share FROM two_groups;
SELECT * FROM crisk.model_performance('two_groups', 'no_outcome');
\echo :LAST_ERROR_SQLSTATE

-- Errors.
SELECT crisk.fit_scorecard(NULL, 'x');
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.fit_scorecard('two_groups', NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.fit_scorecard('two_groups', 'default');
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.fit_scorecard('two_groups', 'two_groups');
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.fit_scorecard('two_groups', 'x', bins => 1);
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.fit_scorecard('two_groups', 'x', pdo => 0);
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.fit_scorecard('two_groups', 'x', base_score => 101);
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.fit_scorecard('two_groups', 'x', base_odds => -1);
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.fit_scorecard('two_groups', 'x', target => 'defaulted');
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.fit_scorecard('two_groups', 'x', target => 'late_share');
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.fit_scorecard('two_groups', 'x', characteristics => '{credit_rating}');
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.fit_scorecard('two_groups', 'x', characteristics => '{late_share,late_share}');
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.fit_scorecard('two_groups', 'x', characteristics => '{altman_z}');
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.fit_scorecard('two_groups', 'x', characteristics => '{}');
\echo :LAST_ERROR_SQLSTATE
CREATE TABLE no_characteristic AS SELECT customer_id, bad FROM two_groups;
SELECT crisk.fit_scorecard('no_characteristic', 'x');
\echo :LAST_ERROR_SQLSTATE
CREATE TABLE all_good AS SELECT late_share, false AS bad FROM two_groups;
SELECT crisk.fit_scorecard('all_good', 'x');
\echo :LAST_ERROR_SQLSTATE
CREATE TABLE uninformative AS SELECT late_share, customer_id::text < 'C5' AS bad FROM two_groups WHERE late_share = 0.1;
SELECT crisk.fit_scorecard('uninformative', 'x');
\echo :LAST_ERROR_SQLSTATE
-- Nothing was written by the calls that failed.
SELECT count(*) AS rows_of_x FROM crisk.scorecard WHERE model = 'x';
SELECT model FROM crisk.model_fit ORDER BY model_fit_id;

-- A credit manager who is not a superuser fits and checks a model with
-- the grants doc/models.md lists.
CREATE ROLE regress_model_builder;
GRANT USAGE ON SCHEMA crisk TO regress_model_builder;
GRANT SELECT, INSERT ON crisk.scorecard, crisk.model_fit TO regress_model_builder;
GRANT USAGE ON SEQUENCE crisk.model_fit_model_fit_id_seq TO regress_model_builder;
GRANT EXECUTE ON FUNCTION crisk.fit_scorecard(regclass, text, text[], text, integer, numeric, integer, numeric),
                          crisk.model_performance(text, regclass) TO regress_model_builder;
GRANT SELECT ON two_groups TO regress_model_builder;
SET ROLE regress_model_builder;
SELECT model, fitted_by, points_scale FROM crisk.fit_scorecard('two_groups', 'by_a_credit_manager');
SELECT risk_class, customers FROM crisk.model_performance('by_a_credit_manager', 'two_groups') WHERE customers > 0;
RESET ROLE;

-- Later tests see no fitted model.
DELETE FROM crisk.scorecard WHERE model IN (SELECT model FROM crisk.model_fit);
DELETE FROM crisk.model_fit;
DROP OWNED BY regress_model_builder;
DROP ROLE regress_model_builder;
