-- crisk.recalibrated_limit(current_limit, score, monthly_sales,
-- insured_cover, policy).  Each error is followed by its SQLSTATE.
--
-- The four steps:
--   1. target = monthly_sales x months_of_sales of the score's class;
--   2. with insured_cover, target = least(target, insured_cover);
--   3. new customer (NULL or 0 limit): least(target, initial_limit);
--      else a decrease applies at once, an increase is capped at
--      current_limit x (1 + max_increase);
--   4. rounded down to a multiple of rounding, never below 0.
--
-- The default policy:
--   class  months_of_sales  max_increase  initial_limit  rounding
--   A      2.0              0.50          50 000         1 000
--   B      1.5              0.25          20 000         1 000
--   C      1.0              0.10          10 000           500
--   D      0.5              0.00           2 000           100
--   E      0                0                  0           100
SELECT risk_class, months_of_sales, max_increase, initial_limit, rounding
FROM crisk.limit_policy WHERE policy = 'default' ORDER BY risk_class;

-- New customers start at least(target, initial_limit).
--   a: NULL limit, A (90), sales 30 000: target 60 000, initial 50 000 -> 50 000
--   b: zero limit, A (90), sales 10 000: target 20 000 < 50 000 -> 20 000
--   c: NULL, B (65), sales 12 345.67: target 18 518.505 < 20 000,
--      rounded down to 1 000 -> 18 000
--   d: NULL, C (50), sales 7 777: target 7 777 < 10 000, down to 500 -> 7 500
--   e: NULL, D (25), sales 50 000: target 25 000, initial 2 000 -> 2 000
--   f: NULL, E (10), sales 50 000: target 0 -> 0 (no credit)
SELECT crisk.recalibrated_limit(NULL, 90, 30000) AS a,
       crisk.recalibrated_limit(0, 90, 10000) AS b,
       crisk.recalibrated_limit(NULL, 65, 12345.67) AS c,
       crisk.recalibrated_limit(NULL, 50, 7777) AS d,
       crisk.recalibrated_limit(NULL, 25, 50000) AS e,
       crisk.recalibrated_limit(NULL, 10, 50000) AS f;

-- Increases are capped at current_limit x (1 + max_increase).
--   a: 40 000, A (85), sales 50 000: target 100 000, cap 60 000 -> 60 000
--   b: 40 000, A, sales 22 000: target 44 000 under the cap -> 44 000
--   c: 10 000, B (70), sales 20 000: target 30 000, cap 12 500, down to
--      1 000 -> 12 000
--   d: 10 000, C (45), sales 20 000: target 20 000, cap 11 000 -> 11 000
--   e: 3 000, D (30), sales 20 000: target 10 000, cap 3 000 x 1.00 -> 3 000
--   f: 12 000, A, sales 6 000: target 12 000 = current, cap 18 000 -> 12 000
SELECT crisk.recalibrated_limit(40000, 85, 50000) AS a,
       crisk.recalibrated_limit(40000, 85, 22000) AS b,
       crisk.recalibrated_limit(10000, 70, 20000) AS c,
       crisk.recalibrated_limit(10000, 45, 20000) AS d,
       crisk.recalibrated_limit(3000, 30, 20000) AS e,
       crisk.recalibrated_limit(12000, 85, 6000) AS f;

-- Decreases apply at once, whatever max_increase says.
--   a: 100 000, B (60), sales 20 000: target 30 000 -> 30 000
--   b: 50 000, C (40), sales 12 345: target 12 345, down to 500 -> 12 000
--   c: 12 345.67, A (80), sales 6 000: target 12 000 -> 12 000
--   d: 5 000, A, no sales: target 0 -> 0
--   e: class E (19), 80 000, sales 40 000: target 0 -> 0
SELECT crisk.recalibrated_limit(100000, 60, 20000) AS a,
       crisk.recalibrated_limit(50000, 40, 12345) AS b,
       crisk.recalibrated_limit(12345.67, 80, 6000) AS c,
       crisk.recalibrated_limit(5000, 95, 0) AS d,
       crisk.recalibrated_limit(80000, 19, 40000) AS e;

-- The insurer's cover caps the target.
--   a: 20 000, A (95), sales 30 000, cover 25 000: target 25 000, cap
--      30 000 -> 25 000
--   b: 40 000, A, sales 30 000, cover 15 000: target 15 000, a decrease
--      -> 15 000
--   c: cover withdrawn (0): target 0 -> 0
--   d: new customer, A, sales 30 000, cover 12 345: target 12 345 <
--      50 000, down to 1 000 -> 12 000
--   e: cover above the target changes nothing: 40 000, A, sales 10 000,
--      cover 1 000 000: target 20 000 -> 20 000
SELECT crisk.recalibrated_limit(20000, 95, 30000, 25000) AS a,
       crisk.recalibrated_limit(40000, 95, 30000, 15000) AS b,
       crisk.recalibrated_limit(40000, 95, 30000, 0) AS c,
       crisk.recalibrated_limit(NULL, 95, 30000, 12345) AS d,
       crisk.recalibrated_limit(40000, 95, 10000, 1000000) AS e;

-- Rounding down, never below 0: new customer, C (55), sales 499.99:
-- target 499.99, rounded down to 500 -> 0.
SELECT crisk.recalibrated_limit(NULL, 55, 499.99) AS rounds_to_zero;

-- Class edges: score 80 is A, 79 is B.  NULL limit, sales 10 000:
-- A: target 20 000 -> 20 000; B: target 15 000 < 20 000 -> 15 000.
-- Score 100 (A) and 0 (E) are valid.
SELECT crisk.recalibrated_limit(NULL, 80, 10000) AS score_80,
       crisk.recalibrated_limit(NULL, 79, 10000) AS score_79,
       crisk.recalibrated_limit(NULL, 100, 10000) AS score_100,
       crisk.recalibrated_limit(NULL, 0, 10000) AS score_0;

-- Huge amounts stay exact: 10^15 limit, A, sales 10^15: target 2 x 10^15,
-- cap 1.5 x 10^15.
SELECT crisk.recalibrated_limit(1e15, 100, 1e15) AS huge;

-- Nothing to recalibrate from: a NULL score or NULL sales give NULL.
SELECT crisk.recalibrated_limit(10000, NULL, 5000) IS NULL AS null_score,
       crisk.recalibrated_limit(10000, 90, NULL) IS NULL AS null_sales;

-- A user policy rounding to the cent, for every class:
-- months 1, max_increase 0.10, initial 1 000, rounding 0.01.
INSERT INTO crisk.limit_policy
SELECT 'cents', c, 1, 0.10, 1000, 0.01 FROM unnest(ARRAY['A', 'B', 'C', 'D', 'E']) AS c;
--   a: new, sales 1 234.5678: target 1 234.5678, initial 1 000 -> 1000.00
--   b: 1 000, same sales: target 1 234.5678, cap 1 100 -> 1100.00
--   c: 2 000, same sales: decrease to 1 234.5678, down to the cent -> 1234.56
SELECT crisk.recalibrated_limit(NULL, 50, 1234.5678, policy => 'cents') AS a,
       crisk.recalibrated_limit(1000, 50, 1234.5678, policy => 'cents') AS b,
       crisk.recalibrated_limit(2000, 50, 1234.5678, policy => 'cents') AS c;
-- A change is seen by the next statement: class C may now rise by 50 %,
-- so b becomes least(1 234.5678, 1 500) -> 1234.56.
UPDATE crisk.limit_policy SET max_increase = 0.5 WHERE policy = 'cents' AND risk_class = 'C';
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
INSERT INTO crisk.limit_policy VALUES ('bad', 'F', 1, 0, 0, 100);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO crisk.limit_policy VALUES ('bad', 'A', -1, 0, 0, 100);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO crisk.limit_policy VALUES ('bad', 'A', 1, -0.1, 0, 100);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO crisk.limit_policy VALUES ('bad', 'A', 1, 0, -5, 100);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO crisk.limit_policy VALUES ('bad', 'A', 1, 0, 0, 0);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO crisk.limit_policy VALUES ('bad', 'A', 'NaN', 0, 0, 100);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO crisk.limit_policy VALUES ('bad', 'A', 1, 'Infinity', 0, 100);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO crisk.limit_policy VALUES ('', 'A', 1, 0, 0, 100);
\echo :LAST_ERROR_SQLSTATE

-- Should a DBA drop a constraint, the row is still refused when the
-- policy is used (inside a transaction that is rolled back).
BEGIN;
ALTER TABLE crisk.limit_policy DROP CONSTRAINT limit_policy_rounding_range;
INSERT INTO crisk.limit_policy
SELECT 'zero_rounding', c, 1, 0, 0, CASE c WHEN 'C' THEN 0 ELSE 1 END
FROM unnest(ARRAY['A', 'B', 'C', 'D', 'E']) AS c;
SELECT crisk.recalibrated_limit(1000, 90, 1000, policy => 'zero_rounding');
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
-- A bad value is reported even when a NULL score would give NULL.
SELECT crisk.recalibrated_limit(-5, NULL, 1000);
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.recalibrated_limit(1000, 50, 1000, policy => NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.recalibrated_limit(1000, 50, 1000, policy => 'no_such_policy');
\echo :LAST_ERROR_SQLSTATE
