-- DSO over invoices: the aggregates crisk.dso(amount, issue_date, paid_date,
-- as_of, period_days) (standard method) and crisk.dso_countback(amount,
-- issue_date, paid_date, as_of) (countback over calendar months).  Each
-- failing statement is followed by its SQLSTATE.

CREATE TABLE dso_invoices (customer_id text, amount numeric, issue_date date, paid_date date);
INSERT INTO dso_invoices VALUES
    ('acme', 100,    '2024-03-01', NULL),          -- open
    ('acme', 200,    '2024-02-01', '2024-03-15'),  -- paid by as_of
    ('acme', 300,    '2023-12-01', NULL),          -- open, issued before the period
    ('acme', 400,    '2024-03-20', '2024-04-10'),  -- paid after as_of: open at as_of
    ('acme', 999,    '2024-04-01', NULL),          -- issued after as_of: ignored
    ('bolt', 1000.50,'2024-01-15', NULL),
    ('bolt', -200.50,'2024-02-10', NULL);          -- a credit note

-- Standard method, as_of 2024-03-31, 90 days: the period is
-- (2024-01-01, 2024-03-31].
--   acme: open 100 + 300 + 400 = 800; issued in the period 100 + 200 + 400
--         = 700; 800 / 700 * 90 = 102.857... -> 102.86.
--   bolt: open 1000.50 - 200.50 = 800.00; issued 800.00; 800 / 800 * 90 = 90.00.
SELECT customer_id, crisk.dso(amount, issue_date, paid_date, '2024-03-31', 90) AS dso
FROM dso_invoices GROUP BY customer_id ORDER BY customer_id;

-- The aggregate agrees with the scalar crisk.dso(receivables,
-- credit_sales, period_days) given the same totals, rounding included.
SELECT crisk.dso(800, 700, 90) AS acme_scalar, crisk.dso(800.00, 800.00, 90) AS bolt_scalar;

-- A 30-day period, (2024-03-01, 2024-03-31]: acme issued 400 (03-20; 03-01
-- is the excluded lower end), open 800: 800 / 400 * 30 = 60.00.
SELECT crisk.dso(amount, issue_date, paid_date, '2024-03-31', 30)
FROM dso_invoices WHERE customer_id = 'acme';
-- The period's upper end is included: issued on as_of counts.  Open 50,
-- issued 50 + 150 = 200 in (2024-02-29, 2024-03-30]: 50 / 200 * 30 = 7.50.
SELECT crisk.dso(amount, issue_date, paid_date, '2024-03-30', 30)
FROM (VALUES (50, '2024-03-30'::date, NULL::date), (150, '2024-03-01', '2024-03-29'),
             (1000, '2024-02-29', '2024-03-01')) AS t(amount, issue_date, paid_date);
-- Leap year: 60 days before 2024-03-31 is 2024-01-31, so the period starts
-- on 2024-02-01 (Feb 1 to Mar 31 = 29 + 31 = 60 days).  Open 120, issued
-- 120 + 240 = 360: 120 / 360 * 60 = 20.00.
SELECT crisk.dso(amount, issue_date, paid_date, '2024-03-31', 60)
FROM (VALUES (120, '2024-02-01'::date, NULL::date), (240, '2024-03-31', '2024-03-31'),
             (480, '2024-01-31', '2024-02-15')) AS t(amount, issue_date, paid_date);

-- Rounding is half away from zero, exact: 1 / 8 * 1 = 0.125 -> 0.13;
-- a credit balance of -1: -0.125 -> -0.13; 1 / 3 * 90 = 30 exactly;
-- 2 / 3 * 1 = 0.666... -> 0.67.
SELECT crisk.dso(amount, issue_date, paid_date, '2024-03-31', 1)
FROM (VALUES (1, '2024-03-31'::date, NULL::date), (7, '2024-03-31', '2024-03-31')) AS t(amount, issue_date, paid_date);
SELECT crisk.dso(amount, issue_date, paid_date, '2024-03-31', 1)
FROM (VALUES (-1, '2024-03-01'::date, NULL::date), (8, '2024-03-31', '2024-03-31')) AS t(amount, issue_date, paid_date);
SELECT crisk.dso(amount, issue_date, paid_date, '2024-03-31', 90)
FROM (VALUES (1, '2024-03-31'::date, NULL::date), (2, '2024-03-31', '2024-03-31')) AS t(amount, issue_date, paid_date);
SELECT crisk.dso(amount, issue_date, paid_date, '2024-03-31', 1)
FROM (VALUES (2, '2024-03-31'::date, NULL::date), (1, '2024-03-31', '2024-03-31')) AS t(amount, issue_date, paid_date);

-- No credit sales in the period (all issued earlier), or net credit sales
-- below zero: no DSO (NULL).  Open items with nothing sold in the period:
SELECT crisk.dso(amount, issue_date, paid_date, '2024-03-31', 30) IS NULL AS no_sales
FROM (VALUES (100, '2023-01-01'::date, NULL::date)) AS t(amount, issue_date, paid_date);
SELECT crisk.dso(amount, issue_date, paid_date, '2024-03-31', 30) IS NULL AS negative_sales
FROM (VALUES (100, '2024-03-10'::date, NULL::date), (-300, '2024-03-11', NULL)) AS t(amount, issue_date, paid_date);
-- Every invoice issued after as_of: nothing counts, NULL.
SELECT crisk.dso(amount, issue_date, paid_date, '2024-03-31', 30) IS NULL AS all_later
FROM (VALUES (100, '2024-04-01'::date, NULL::date)) AS t(amount, issue_date, paid_date);
-- Nothing open: 0.00.
SELECT crisk.dso(amount, issue_date, paid_date, '2024-03-31', 30)
FROM (VALUES (100, '2024-03-10'::date, '2024-03-20'::date)) AS t(amount, issue_date, paid_date);

-- Huge amounts: open 10^30, issued 3 * 10^30: 10^30 / (3 * 10^30) * 90 = 30.00.
SELECT crisk.dso(amount, issue_date, paid_date, '2024-03-31', 90)
FROM (VALUES (1e30, '2024-03-01'::date, NULL::date), (2e30, '2024-03-01', '2024-03-02')) AS t(amount, issue_date, paid_date);
-- Open 3 * 9 * 10^33, issued 4 * 9 * 10^33: 27 / 36 * 90 = 67.50.  Here
-- open * 90 * 100 exceeds 2^127, so the division runs in numeric instead
-- of 128-bit integers, with the same rounding.
SELECT crisk.dso(amount, issue_date, paid_date, '2024-03-31', 90)
FROM (VALUES (9e33, '2024-03-01'::date, NULL::date), (9e33, '2024-03-01', NULL),
             (9e33, '2024-03-01', NULL), (9e33, '2024-03-01', '2024-03-02')) AS t(amount, issue_date, paid_date);
-- The same numbers with 1/10^33 of the amounts: 67.50 as well.
SELECT crisk.dso(amount, issue_date, paid_date, '2024-03-31', 90)
FROM (VALUES (9, '2024-03-01'::date, NULL::date), (9, '2024-03-01', NULL),
             (9, '2024-03-01', NULL), (9, '2024-03-01', '2024-03-02')) AS t(amount, issue_date, paid_date);

-- No rows, and rows whose amount, issue_date, as_of or period_days is NULL
-- (left out): NULL.  A NULL paid_date means unpaid.
SELECT crisk.dso(amount, issue_date, paid_date, '2024-03-31', 90) IS NULL AS no_rows
FROM dso_invoices WHERE false;
SELECT crisk.dso(amount, issue_date, paid_date, as_of, period_days) IS NULL AS all_null
FROM (VALUES (NULL::numeric, '2024-03-01'::date, NULL::date, '2024-03-31'::date, 90),
             (10, NULL, NULL, '2024-03-31', 90),
             (10, '2024-03-01', NULL, NULL, 90),
             (10, '2024-03-01', NULL, '2024-03-31', NULL)) AS t(amount, issue_date, paid_date, as_of, period_days);

-- Errors: period_days not positive; as_of or period_days differing within a
-- group; NaN amount; infinite dates.  All 22023.
SELECT crisk.dso(10, '2024-03-01', NULL, '2024-03-31', 0);
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.dso(amount, '2024-03-01', NULL, as_of, 90)
FROM (VALUES (1, '2024-03-31'::date), (2, '2024-04-30')) AS t(amount, as_of);
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.dso(amount, '2024-03-01', NULL, '2024-03-31', period_days)
FROM (VALUES (1, 90), (2, 30)) AS t(amount, period_days);
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.dso('NaN', '2024-03-01', NULL, '2024-03-31', 90);
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.dso(10, '-infinity', NULL, '2024-03-31', 90);
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.dso(10, '2024-03-01', 'infinity', '2024-03-31', 90);
\echo :LAST_ERROR_SQLSTATE

-- Countback, as_of 2024-03-31 (March counts 31 days, February 2024 29):
--   acme: receivables 800 (as above).  Sales by month: March 100 + 400 =
--         500, February 200, January none, December 2023 300.
--         March: 800 > 500, remainder 300, 31 days; February: 300 > 200,
--         remainder 100, 31 + 29 = 60 days; January: no sales, 100 > 0,
--         31 more = 91 days; December: 100 <= 300, 100 / 300 * 31 =
--         10.333...: 101.33.
--   bolt: receivables 800.00.  February -200.50 (the credit note), January
--         1000.50.  March: no sales, 800 > 0, 31 days; February: 800 >
--         -200.50, remainder 1000.50, 60 days; January: 1000.50 <= 1000.50,
--         all 31 days: 91.00.
SELECT customer_id, crisk.dso_countback(amount, issue_date, paid_date, '2024-03-31') AS countback
FROM dso_invoices GROUP BY customer_id ORDER BY customer_id;

-- The month of as_of counts from its first day to as_of: as_of 2024-03-10
-- gives March 10 days.  Sales March 100, February 200, December 300,
-- receivables 600 (all open): 600 > 100 -> 500, 10 days; 500 > 200 -> 300,
-- 39 days; January (none) 70 days; December 300 / 300 * 31: 101.00.
SELECT crisk.dso_countback(amount, issue_date, paid_date, '2024-03-10')
FROM (VALUES (100, '2024-03-01'::date, NULL::date), (200, '2024-02-01', NULL),
             (300, '2023-12-01', NULL)) AS t(amount, issue_date, paid_date);

-- Across February in a leap year and in a common year, as_of on the 15th:
-- March sales 100, February 200, January 400; receivables 500 (100 of
-- March's, all of February's and 200 of January's open).
--   2024: 500 > 100 -> 400, 15 days; 400 > 200 -> 200, 15 + 29 = 44;
--         January 200 / 400 * 31 = 15.5: 59.50.
--   2023: the same with a 28-day February: 58.50.
SELECT crisk.dso_countback(amount, issue_date, paid_date, '2024-03-15')
FROM (VALUES (100, '2024-03-02'::date, NULL::date), (200, '2024-02-20', NULL),
             (200, '2024-01-10', NULL), (200, '2024-01-05', '2024-02-01')) AS t(amount, issue_date, paid_date);
SELECT crisk.dso_countback(amount, issue_date, paid_date, '2023-03-15')
FROM (VALUES (100, '2023-03-02'::date, NULL::date), (200, '2023-02-20', NULL),
             (200, '2023-01-10', NULL), (200, '2023-01-05', '2023-02-01')) AS t(amount, issue_date, paid_date);

-- Month end in a leap year: as_of 2024-02-29 gives February its 29 days.
-- Sales February 290, receivables 145: 145 / 290 * 29 = 14.50.
SELECT crisk.dso_countback(amount, issue_date, paid_date, '2024-02-29')
FROM (VALUES (145, '2024-02-29'::date, NULL::date), (145, '2024-02-01', '2024-02-10')) AS t(amount, issue_date, paid_date);

-- The spec's worked shape, as_of 2024-03-31: sales March 1000, February
-- 2000, January 3000; receivables 2500 (1000 + 1500 of February's):
-- 2500 > 1000 -> 1500, 31 days; 1500 / 2000 * 29 = 21.75: 52.75.
SELECT crisk.dso_countback(amount, issue_date, paid_date, '2024-03-31')
FROM (VALUES (1000, '2024-03-05'::date, NULL::date), (1500, '2024-02-05', NULL),
             (500, '2024-02-06', '2024-03-01'), (3000, '2024-01-05', '2024-02-01')) AS t(amount, issue_date, paid_date);

-- A month whose credit notes outweigh its invoices is taken off like any
-- other: March 100, February 50 - 100 = -50, January 200, all open,
-- receivables 250.  250 > 100 -> 150, 31 days; 150 > -50 -> 200, 60 days;
-- 200 <= 200: all of January, 91.00 (three whole months, as all is open).
SELECT crisk.dso_countback(amount, issue_date, paid_date, '2024-03-31')
FROM (VALUES (100, '2024-03-01'::date, NULL::date), (50, '2024-02-01', NULL),
             (-100, '2024-02-02', NULL), (200, '2024-01-01', NULL)) AS t(amount, issue_date, paid_date);

-- Rounding: receivables 100 of March's 300 sales: 100 / 300 * 31 = 10.333
-- -> 10.33; 200 of 300: 20.666 -> 20.67.
SELECT crisk.dso_countback(amount, issue_date, paid_date, '2024-03-31')
FROM (VALUES (100, '2024-03-01'::date, NULL::date), (200, '2024-03-02', '2024-03-03')) AS t(amount, issue_date, paid_date);
SELECT crisk.dso_countback(amount, issue_date, paid_date, '2024-03-31')
FROM (VALUES (200, '2024-03-01'::date, NULL::date), (100, '2024-03-02', '2024-03-03')) AS t(amount, issue_date, paid_date);

-- Nothing open: 0.00.  A credit balance: NULL (no days of sales are
-- outstanding).  Receivables larger than all sales on record, which only
-- credit notes can cause (an open invoice of 100 and a settled credit
-- note of -100 in March, so March's sales are 0): NULL.
SELECT crisk.dso_countback(amount, issue_date, paid_date, '2024-03-31')
FROM (VALUES (100, '2024-03-01'::date, '2024-03-02'::date)) AS t(amount, issue_date, paid_date);
SELECT crisk.dso_countback(amount, issue_date, paid_date, '2024-03-31') IS NULL AS credit_balance
FROM (VALUES (-100, '2024-03-01'::date, NULL::date), (50, '2024-03-01', NULL)) AS t(amount, issue_date, paid_date);
SELECT crisk.dso_countback(amount, issue_date, paid_date, '2024-03-31') IS NULL AS beyond_history
FROM (VALUES (100, '2024-03-01'::date, NULL::date), (-100, '2024-03-05', '2024-03-06')) AS t(amount, issue_date, paid_date);

-- Invoices issued after as_of are ignored, one paid after as_of is open:
-- receivables 300 (paid 2024-04-02) of March's 300: 31.00.
SELECT crisk.dso_countback(amount, issue_date, paid_date, '2024-03-31')
FROM (VALUES (300, '2024-03-01'::date, '2024-04-02'::date), (5000, '2024-04-01', NULL)) AS t(amount, issue_date, paid_date);

-- Old invoices: receivables 100 issued in January 2000, nothing since.
-- March 2024 (31 days) and every month back to February 2000 count whole:
-- 2000-02-01 to 2024-04-01 is 8826 days; then 100 / 100 * 31 days of
-- January 2000: 8857.00, the days from 2000-01-01 to 2024-03-31 inclusive.
SELECT crisk.dso_countback(100, '2000-01-15', NULL, '2024-03-31'),
       '2024-03-31'::date - '2000-01-01'::date + 1 AS days_inclusive;

-- Huge amounts: receivables 10^33 of March's 2 * 10^33: 15.50.
SELECT crisk.dso_countback(amount, issue_date, paid_date, '2024-03-31')
FROM (VALUES (1e33, '2024-03-01'::date, NULL::date), (1e33, '2024-03-02', '2024-03-03')) AS t(amount, issue_date, paid_date);

-- No rows; all-NULL rows: NULL.
SELECT crisk.dso_countback(amount, issue_date, paid_date, '2024-03-31') IS NULL AS no_rows
FROM dso_invoices WHERE false;
SELECT crisk.dso_countback(amount, issue_date, paid_date, as_of) IS NULL AS all_null
FROM (VALUES (NULL::numeric, '2024-03-01'::date, NULL::date, '2024-03-31'::date),
             (10, NULL, NULL, '2024-03-31'),
             (10, '2024-03-01', NULL, NULL)) AS t(amount, issue_date, paid_date, as_of);

-- Errors: as_of differing within a group, NaN, infinite dates: 22023.
SELECT crisk.dso_countback(amount, '2024-03-01', NULL, as_of)
FROM (VALUES (1, '2024-03-31'::date), (2, '2024-04-30')) AS t(amount, as_of);
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.dso_countback('Infinity', '2024-03-01', NULL, '2024-03-31');
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.dso_countback(10, '2024-03-01', NULL, 'infinity');
\echo :LAST_ERROR_SQLSTATE

DROP TABLE dso_invoices;
