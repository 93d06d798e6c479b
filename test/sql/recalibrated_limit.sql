-- crisk.recalibrated_limit(current_limit, score, monthly_sales,
-- insured_cover, policy, payment_terms_days, review_base_limit, class_cap).
-- Each error is followed by its SQLSTATE.
--
-- The steps, for the score's class (worsened to class_cap) and, to keep a
-- better class from getting less, for every worse class, the largest
-- result winning:
--   1. target = daily sales x (terms + tolerance_days) x class_factor, with
--      daily sales = monthly_sales x 12 / 365 and terms the
--      payment_terms_days argument or the policy's default_terms_days,
--      rounded to the cent;
--   2. with insured_cover, target = least(target, insured_cover);
--   3. new customer (NULL limit): least(target, initial_limit); a target
--      below the current limit applies at once; otherwise the limit rises
--      towards the target, at most to review_base_limit x (1 +
--      max_increase) (the base defaults to, and never exceeds, the current
--      limit; from a base of 0, at most to initial_limit), and never falls;
--   4. rounded down to a multiple of rounding, or when that gives 0 for a
--      positive amount, of rounding / 10, / 100, ... (a cent at least).
--
-- The default policy (default terms 45 days for every class):
--   class  class_factor  tolerance_days  max_increase  initial_limit  rounding
--   A      1.50          45              0.50          50 000         1 000
--   B      1.25          45              0.25          20 000         1 000
--   C      1.00          45              0.10          10 000           500
--   D      1.00           0              0.00           2 000           100
--   E      0              0              0                  0           100
-- With monthly sales of 36 500 (1 200 a day) and 45-day terms the targets
-- are A 1 200 x 90 x 1.5 = 162 000, B 1 200 x 90 x 1.25 = 135 000,
-- C 1 200 x 90 = 108 000, D 1 200 x 45 = 54 000, E 0.
SELECT risk_class, class_factor, tolerance_days, default_terms_days, max_increase,
       initial_limit, rounding, review_days, breach_tolerance
FROM crisk.limit_policy WHERE policy = 'default' ORDER BY risk_class;

-- New customers start at least(target, initial_limit).
--   a: A (90), monthly 36 500: target 162 000, initial 50 000 -> 50 000
--   b: A, monthly 3 650 (120 a day): target 120 x 90 x 1.5 = 16 200
--      < 50 000, down to 1 000 -> 16 000
--   c: C (50), monthly 3 650, terms 30: target 120 x 75 = 9 000, below
--      the initial 10 000 -> 9 000 (D: 120 x 30 = 3 600, initial 2 000)
--   d: D (25), monthly 36 500: target 54 000, initial 2 000 -> 2 000
--   e: E (10), monthly 36 500: target 0 -> 0 (no credit)
SELECT crisk.recalibrated_limit(NULL, 90, 36500) AS a,
       crisk.recalibrated_limit(NULL, 90, 3650) AS b,
       crisk.recalibrated_limit(NULL, 50, 3650, payment_terms_days => 30) AS c,
       crisk.recalibrated_limit(NULL, 25, 36500) AS d,
       crisk.recalibrated_limit(NULL, 10, 36500) AS e;

-- The payment terms make the target: a B customer (65) at 70 000 buying
-- 18 250 a month (600 a day):
--   60 days: target 600 x 105 x 1.25 = 78 750, a rise within the cap of
--            87 500 -> 78 000
--   45 days (the policy's default, terms NULL): 600 x 90 x 1.25 = 67 500,
--            a decrease -> 67 000
--   30 days: 600 x 75 x 1.25 = 56 250, a decrease -> 56 000
SELECT crisk.recalibrated_limit(70000, 65, 18250, payment_terms_days => 60) AS terms_60,
       crisk.recalibrated_limit(70000, 65, 18250) AS terms_default,
       crisk.recalibrated_limit(70000, 65, 18250, payment_terms_days => 30) AS terms_30;

-- Increases are capped at review_base_limit x (1 + max_increase).
--   a: 40 000, A (85), monthly 36 500: target 162 000, cap 60 000 -> 60 000
--   b: the same with 30 000 the lowest limit of the review window: cap
--      45 000 -> 45 000
--   c: a base above the current limit counts as the current limit -> 60 000
--   d: 70 000 set by hand, base 30 000: the cap (45 000) never cuts a
--      limit the target covers -> 70 000
--   e: 3 000, D (30): target 54 000, cap 3 000 x 1.00 -> 3 000
--   f: a base of 0 (the limit was 0 in the window), A: at most the
--      initial limit -> 50 000
SELECT crisk.recalibrated_limit(40000, 85, 36500) AS a,
       crisk.recalibrated_limit(40000, 85, 36500, review_base_limit => 30000) AS b,
       crisk.recalibrated_limit(40000, 85, 36500, review_base_limit => 50000) AS c,
       crisk.recalibrated_limit(70000, 85, 36500, review_base_limit => 30000) AS d,
       crisk.recalibrated_limit(3000, 30, 36500) AS e,
       crisk.recalibrated_limit(0, 90, 36500, review_base_limit => 0) AS f;

-- Decreases apply at once, whatever max_increase says.
--   a: 150 000, B (60), monthly 36 500: target 135 000 -> 135 000
--   b: 200 000, A (95): target 162 000 -> 162 000
--   c: 5 000, A, no sales: target 0 -> 0
--   d: class E (19), 80 000: target 0 -> 0
SELECT crisk.recalibrated_limit(150000, 60, 36500) AS a,
       crisk.recalibrated_limit(200000, 95, 36500) AS b,
       crisk.recalibrated_limit(5000, 95, 0) AS c,
       crisk.recalibrated_limit(80000, 19, 36500) AS d;

-- The insurer's cover caps the target.
--   a: 100 000, A (95), monthly 36 500, cover 80 000: a decrease -> 80 000
--   b: cover withdrawn (0): target 0 -> 0
--   c: new customer, cover 12 345: least(12 345, 50 000), down to 1 000
--      -> 12 000
--   d: a cover above the target changes nothing: 90 000, cover 1 000 000:
--      target 162 000, cap 135 000 -> 135 000
SELECT crisk.recalibrated_limit(100000, 95, 36500, 80000) AS a,
       crisk.recalibrated_limit(100000, 95, 36500, 0) AS b,
       crisk.recalibrated_limit(NULL, 95, 36500, 12345) AS c,
       crisk.recalibrated_limit(90000, 95, 36500, 1000000) AS d;

-- Rounding never turns a positive target into 0, and a better class never
-- gets less than a worse one.
--   a: new, C (55), monthly 365 (12 a day): target 1 080, down to 500
--      -> 1 000
--   b: new, D (30), monthly 365: target 12 x 45 = 540, rounded to 100
--      -> 500
--   c, d: 0.1.0 gave 0 to class A and 200 to class D here.  5 000, monthly
--      450: A target 729 000 / 365 = 1 997.26 -> 1 000; D (30) target
--      243 000 / 365 = 665.75 -> 600
--   e: new, A, monthly 3: target 4 860 / 365 = 13.32, which rounding to
--      1 000 (or 100) would make 0, down to 10 -> 10
--   f: new, A, monthly 0.01: target 16.2 / 365 = 0.04 (to the cent) -> 0.04
SELECT crisk.recalibrated_limit(NULL, 55, 365) AS a,
       crisk.recalibrated_limit(NULL, 30, 365) AS b,
       crisk.recalibrated_limit(5000, 90, 450) AS c,
       crisk.recalibrated_limit(5000, 30, 450) AS d,
       crisk.recalibrated_limit(NULL, 90, 3) AS e,
       crisk.recalibrated_limit(NULL, 90, 0.01) AS f;

-- A class cap (a legal event in force) worsens the class, never improves it.
--   a: new, A (90), monthly 36 500, capped at E -> 0
--   b: capped at C: C's initial 10 000 -> 10 000
--   c: D (25) "capped" at A stays D -> 2 000
SELECT crisk.recalibrated_limit(NULL, 90, 36500, class_cap => 'E') AS a,
       crisk.recalibrated_limit(NULL, 90, 36500, class_cap => 'C') AS b,
       crisk.recalibrated_limit(NULL, 25, 36500, class_cap => 'A') AS c;

-- Class edges: score 80 is A, 79 is B.  New customer, monthly 3 650:
-- A 16 000 (above); B: target 120 x 90 x 1.25 = 13 500 -> 13 000.
-- Score 100 (A) and 0 (E) are valid.
SELECT crisk.recalibrated_limit(NULL, 80, 3650) AS score_80,
       crisk.recalibrated_limit(NULL, 79, 3650) AS score_79,
       crisk.recalibrated_limit(NULL, 100, 3650) AS score_100,
       crisk.recalibrated_limit(NULL, 0, 3650) AS score_0;

-- Huge amounts stay exact: 10^15 limit, A, monthly 10^15: target
-- 4.4 x 10^15, cap 1.5 x 10^15.
SELECT crisk.recalibrated_limit(1e15, 100, 1e15) AS huge;

-- Nothing to recalibrate from: a NULL score or NULL sales give NULL.
SELECT crisk.recalibrated_limit(10000, NULL, 5000) IS NULL AS null_score,
       crisk.recalibrated_limit(10000, 90, NULL) IS NULL AS null_sales;
-- Without sales, a new customer starts at its class's initial limit (0.1.0
-- gave 0 here), within the cover; a class whose factor is 0 (E) gets 0
-- whatever the sales, so a dormant customer fallen to E loses its credit.
--   a: new, C (52), no sales (0) -> 10 000;  b: the same, NULL sales
--   c: new, A, NULL sales, cover 12 345 -> 12 000
--   d: 5 000, E (10), NULL sales -> 0;  e: capped at E -> 0
SELECT crisk.recalibrated_limit(NULL, 52, 0) AS a,
       crisk.recalibrated_limit(NULL, 52, NULL) AS b,
       crisk.recalibrated_limit(NULL, 90, NULL, 12345) AS c,
       crisk.recalibrated_limit(5000, 10, NULL) AS d,
       crisk.recalibrated_limit(5000, 90, NULL, class_cap => 'E') AS e;

-- A user policy rounding to the cent, the same for every class: factor 1,
-- terms 30, no tolerance, max_increase 0.10, initial 1 000.  Monthly
-- 1 234.5678: target 1 234.5678 x 12 x 30 / 365 = 1 217.66 (to the cent).
INSERT INTO crisk.limit_policy (policy, risk_class, max_increase, initial_limit, rounding,
                                class_factor, tolerance_days, default_terms_days)
SELECT 'cents', c, 0.10, 1000, 0.01, 1, 0, 30 FROM unnest(ARRAY['A', 'B', 'C', 'D', 'E']) AS c;
--   a: new: initial 1 000 -> 1000.00
--   b: 1 000: cap 1 100 -> 1100.00
--   c: 2 000: a decrease -> 1217.66
SELECT crisk.recalibrated_limit(NULL, 50, 1234.5678, policy => 'cents') AS a,
       crisk.recalibrated_limit(1000, 50, 1234.5678, policy => 'cents') AS b,
       crisk.recalibrated_limit(2000, 50, 1234.5678, policy => 'cents') AS c;
-- A change is seen by the next statement: classes C to E may now rise by
-- 50 %, so b becomes least(1 217.66, 1 500) -> 1217.66.
UPDATE crisk.limit_policy SET max_increase = 0.5 WHERE policy = 'cents' AND risk_class >= 'C';
SELECT crisk.recalibrated_limit(1000, 50, 1234.5678, policy => 'cents') AS b_after_update;

-- A policy without a row for every class is refused when used (42P17),
-- whatever the score's class.
DELETE FROM crisk.limit_policy WHERE policy = 'cents' AND risk_class = 'E';
SELECT crisk.recalibrated_limit(1000, 90, 1000, policy => 'cents');
\echo :LAST_ERROR_SQLSTATE
DELETE FROM crisk.limit_policy WHERE policy = 'cents';
-- Once deleted, it is unknown (42704).
SELECT crisk.recalibrated_limit(1000, 90, 1000, policy => 'cents');
\echo :LAST_ERROR_SQLSTATE

-- The table refuses rows that make no sense.
INSERT INTO crisk.limit_policy (policy, risk_class, max_increase, initial_limit, rounding, class_factor)
VALUES ('bad', 'F', 0, 0, 100, 1);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO crisk.limit_policy (policy, risk_class, max_increase, initial_limit, rounding, class_factor)
VALUES ('bad', 'A', 0, 0, 100, -1);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO crisk.limit_policy (policy, risk_class, max_increase, initial_limit, rounding, class_factor)
VALUES ('bad', 'A', -0.1, 0, 100, 1);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO crisk.limit_policy (policy, risk_class, max_increase, initial_limit, rounding, class_factor)
VALUES ('bad', 'A', 0, -5, 100, 1);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO crisk.limit_policy (policy, risk_class, max_increase, initial_limit, rounding, class_factor)
VALUES ('bad', 'A', 0, 0, 0, 1);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO crisk.limit_policy (policy, risk_class, max_increase, initial_limit, rounding, class_factor)
VALUES ('bad', 'A', 0, 0, 100, 'NaN');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO crisk.limit_policy (policy, risk_class, max_increase, initial_limit, rounding, class_factor)
VALUES ('bad', 'A', 'Infinity', 0, 100, 1);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO crisk.limit_policy (policy, risk_class, max_increase, initial_limit, rounding, class_factor)
VALUES ('', 'A', 0, 0, 100, 1);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO crisk.limit_policy (policy, risk_class, max_increase, initial_limit, rounding, class_factor, tolerance_days)
VALUES ('bad', 'A', 0, 0, 100, 1, -1);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO crisk.limit_policy (policy, risk_class, max_increase, initial_limit, rounding, class_factor, default_terms_days)
VALUES ('bad', 'A', 0, 0, 100, 1, -30);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO crisk.limit_policy (policy, risk_class, max_increase, initial_limit, rounding, class_factor, review_days)
VALUES ('bad', 'A', 0, 0, 100, 1, 0);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO crisk.limit_policy (policy, risk_class, max_increase, initial_limit, rounding, class_factor, breach_tolerance)
VALUES ('bad', 'A', 0, 0, 100, 1, -0.1);
\echo :LAST_ERROR_SQLSTATE

-- Should a DBA drop a constraint, the row is still refused when the
-- policy is used (inside a transaction that is rolled back).
BEGIN;
ALTER TABLE crisk.limit_policy DROP CONSTRAINT limit_policy_rounding_range;
INSERT INTO crisk.limit_policy (policy, risk_class, max_increase, initial_limit, rounding, class_factor)
SELECT 'zero_rounding', c, 0, 0, CASE c WHEN 'C' THEN 0 ELSE 1 END, 1
FROM unnest(ARRAY['A', 'B', 'C', 'D', 'E']) AS c;
SELECT crisk.recalibrated_limit(1000, 90, 1000, policy => 'zero_rounding');
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
BEGIN;
ALTER TABLE crisk.limit_policy DROP CONSTRAINT limit_policy_tolerance_days_range;
INSERT INTO crisk.limit_policy (policy, risk_class, max_increase, initial_limit, rounding, class_factor, tolerance_days)
SELECT 'negative_days', c, 0, 0, 1, 1, CASE c WHEN 'B' THEN -3 ELSE 0 END
FROM unnest(ARRAY['A', 'B', 'C', 'D', 'E']) AS c;
SELECT crisk.recalibrated_limit(1000, 90, 1000, policy => 'negative_days');
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;

-- Bad arguments (22023, 22004, 42704), each naming the argument.
SELECT crisk.recalibrated_limit(1000, 101, 1000);
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.recalibrated_limit(1000, -1, 1000);
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.recalibrated_limit(-0.01, 50, 1000);
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.recalibrated_limit(1000, 50, -1000);
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.recalibrated_limit(1000, 50, 1000, -1);
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.recalibrated_limit('NaN', 50, 1000);
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.recalibrated_limit(1000, 50, 'Infinity');
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.recalibrated_limit(1000, 50, 1000, '-Infinity');
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.recalibrated_limit(1000, 50, 1000, payment_terms_days => -1);
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.recalibrated_limit(1000, 50, 1000, review_base_limit => -1);
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.recalibrated_limit(1000, 50, 1000, class_cap => 'F');
\echo :LAST_ERROR_SQLSTATE
-- A bad value is reported even when a NULL score would give NULL.
SELECT crisk.recalibrated_limit(-5, NULL, 1000);
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.recalibrated_limit(1000, 50, 1000, policy => NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.recalibrated_limit(1000, 50, 1000, policy => 'no_such_policy');
\echo :LAST_ERROR_SQLSTATE
