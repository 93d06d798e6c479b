-- Receivables ratios from given figures: crisk.dso, crisk.best_possible_dso,
-- crisk.collection_effectiveness.  Results are exact, rounded once half away
-- from zero to 2 decimals.  Each error is followed by its SQLSTATE.

-- DSO = receivables / credit_sales * period_days.
--   125 000 / 450 000 * 90 = 25 exactly                    -> 25.00
--   100 000 / 300 000 * 91 = 30.333...                      -> 30.33
--   200 000 / 300 000 * 91 = 60.666...                      -> 60.67
--   a month of 28 days: 40 000 / 56 000 * 28 = 20 exactly   -> 20.00
--   1 / 8 * 1 = 0.125, a tie: half away from zero           -> 0.13
--   a credit balance: -5 000 / 100 000 * 30 = -1.5          -> -1.50
--   -1 / 8 * 1 = -0.125, a tie                              -> -0.13
--   nothing owed: 0 / 1000 * 30                             -> 0.00
SELECT crisk.dso(125000, 450000, 90) AS typical,
       crisk.dso(100000, 300000, 91) AS thirds_down,
       crisk.dso(200000, 300000, 91) AS thirds_up,
       crisk.dso(40000, 56000, 28) AS february,
       crisk.dso(1, 8, 1) AS tie,
       crisk.dso(-5000, 100000, 30) AS credit_balance,
       crisk.dso(-1, 8, 1) AS negative_tie,
       crisk.dso(0, 1000, 30) AS nothing_owed;

-- Rounding is done once, on the exact quotient.  (10^30 - 1) / (8 * 10^30)
-- = 0.124999999999999999999999999999875, which rounds to 0.12; numeric
-- division rounds it to 0.12500000000000000000 first, and rounding that
-- again would give 0.13.
SELECT crisk.dso(999999999999999999999999999999, 8000000000000000000000000000000, 1) AS exact,
       round(999999999999999999999999999999::numeric / 8000000000000000000000000000000, 2) AS rounded_twice;

-- Huge figures keep every digit: 10^50 / (3 * 10^50) * 365 = 121.666...
-- -> 121.67; 7 * 10^1000 / (2 * 10^1000) * 30 = 105 exactly -> 105.00.
-- A DSO far above any real one is still exact: 10^40 / 0.01 * 1 = 10^42.
SELECT crisk.dso(1e50, 3e50, 365) AS huge,
       crisk.dso('7e1000', '2e1000', 30) AS enormous,
       crisk.dso(1e40, 0.01, 1) = 1e42 AS ratio_of_extremes;

-- An intermediate beyond numeric's range is an error, not a wrong figure:
-- 9 * 10^131071 days of sales times 365 days overflows.
SELECT crisk.dso('9e131071', 1, 365);
\echo :LAST_ERROR_SQLSTATE

-- No credit sales in the period: the ratio has no meaning -> NULL.
SELECT crisk.dso(1000, 0, 90) IS NULL AS no_sales,
       crisk.dso(0, 0, 90) IS NULL AS nothing_at_all;

-- NULL is unknown: the functions are strict.
SELECT crisk.dso(NULL, 1000, 90) IS NULL AS null_receivables,
       crisk.dso(1000, NULL, 90) IS NULL AS null_sales,
       crisk.dso(1000, 1000, NULL) IS NULL AS null_days;

-- Bad values name the argument.
SELECT crisk.dso(1000, -1, 90);
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.dso(1000, 1000, 0);
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.dso(1000, 1000, -30);
\echo :LAST_ERROR_SQLSTATE
-- A negative period is refused even when there are no sales.
SELECT crisk.dso(1000, 0, -30);
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.dso('NaN', 1000, 90);
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.dso(1000, 'Infinity', 90);
\echo :LAST_ERROR_SQLSTATE

-- Best possible DSO = current receivables / credit_sales * period_days.
--   80 000 / 450 000 * 90 = 16 exactly -> 16.00; with the DSO of 25.00
--   above, average days delinquent = 25.00 - 16.00 = 9.00.
--   10 000 / 30 000 * 31 = 10.333... -> 10.33.
SELECT crisk.best_possible_dso(80000, 450000, 90) AS best_possible,
       crisk.dso(125000, 450000, 90) - crisk.best_possible_dso(80000, 450000, 90)
           AS average_days_delinquent,
       crisk.best_possible_dso(10000, 30000, 31) AS thirds;

SELECT crisk.best_possible_dso(1000, 0, 90) IS NULL AS no_sales,
       crisk.best_possible_dso(NULL, 1000, 90) IS NULL AS null_current;
SELECT crisk.best_possible_dso(1000, -5, 90);
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.best_possible_dso(1000, 1000, 0);
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.best_possible_dso('NaN', 1000, 90);
\echo :LAST_ERROR_SQLSTATE

-- CEI = (B + S/N - E) / (B + S/N - EC) * 100, computed as
-- (N*B + S - N*E) * 100 / (N*B + S - N*EC) so that S/N is never rounded.
--   B 350 000, S 600 000 over N 3 months, E 400 000, EC 250 000:
--     (350 000 + 200 000 - 400 000) / (350 000 + 200 000 - 250 000)
--     = 150 000 / 300 000 = 50 %                              -> 50.00
--   B 1 000, S 1 000, N 7, E 900, EC 600 (S/N = 142.857...):
--     (7 000 + 1 000 - 6 300) / (7 000 + 1 000 - 4 200) = 1 700 / 3 800
--     = 44.7368...%                                           -> 44.74
--   everything overdue collected, E = EC: 100 %               -> 100.00
--   B 800, S 0, N 1, E 799, EC 0: 1 / 800 = 0.125 %, a tie    -> 0.13
--   more owed at the end than could be collected: B 100, S 0, N 1, E 101,
--     EC 0: -1 / 100 = -1 %                                   -> -1.00
SELECT crisk.collection_effectiveness(350000, 600000, 400000, 250000, 3) AS textbook,
       crisk.collection_effectiveness(1000, 1000, 900, 600, 7) AS seven_months,
       crisk.collection_effectiveness(500000, 900000, 420000, 420000, 3) AS perfect,
       crisk.collection_effectiveness(800, 0, 799, 0, 1) AS tie,
       crisk.collection_effectiveness(100, 0, 101, 0, 1) AS worse_than_nothing;

-- Nothing was collectable: B + S/N - EC = 0 + 300/3 - 100 = 0 -> NULL.
SELECT crisk.collection_effectiveness(0, 300, 50, 100, 3) IS NULL AS nothing_collectable,
       crisk.collection_effectiveness(NULL, 300, 50, 100, 3) IS NULL AS null_beginning,
       crisk.collection_effectiveness(0, 300, 50, 100, NULL) IS NULL AS null_months;

-- Huge figures: B 10^60, S 3 * 10^60 over 3 months, E 10^60, EC 0:
-- (10^60 + 10^60 - 10^60) / (10^60 + 10^60) = 50 % -> 50.00.
SELECT crisk.collection_effectiveness(1e60, 3e60, 1e60, 0, 3) AS huge;

SELECT crisk.collection_effectiveness(1000, -1, 900, 600, 3);
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.collection_effectiveness(1000, 1000, 900, 600, 0);
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.collection_effectiveness(1000, 1000, 900, 600, -3);
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.collection_effectiveness('NaN', 1000, 900, 600, 3);
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.collection_effectiveness(1000, 1000, 'Infinity', 600, 3);
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.collection_effectiveness(1000, 1000, 900, '-Infinity', 3);
\echo :LAST_ERROR_SQLSTATE

-- As a BI user writes it: DSO and best possible DSO per customer over the
-- last 90 days, from figures in a table.
--   ACME: 45 000 / 90 000 * 90 = 45.00, current 30 000 -> 30.00, ADD 15.00
--   BETA: 10 000 / 0 -> NULL (no sales in the period)
--   GAMMA: 7 000 / 21 000 * 90 = 30.00, current 7 000 -> 30.00, ADD 0.00
SELECT customer_id,
       crisk.dso(receivables, credit_sales, 90) AS dso,
       crisk.best_possible_dso(current_receivables, credit_sales, 90) AS best_possible_dso,
       crisk.dso(receivables, credit_sales, 90)
         - crisk.best_possible_dso(current_receivables, credit_sales, 90) AS average_days_delinquent
FROM (VALUES ('ACME', 45000, 30000, 90000),
             ('BETA', 10000, 0, 0),
             ('GAMMA', 7000, 7000, 21000))
     AS t(customer_id, receivables, current_receivables, credit_sales)
ORDER BY customer_id;
