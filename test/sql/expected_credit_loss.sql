-- The aggregate crisk.expected_credit_loss(amount, due_date, as_of,
-- loss_rates [, bounds]): IFRS 9 provision matrix.  Each failing statement
-- is followed by its SQLSTATE.

CREATE TABLE ecl_items (customer_id text, amount numeric, due_date date);
INSERT INTO ecl_items VALUES
    ('acme', 1000.00, '2024-04-30'),  -- current
    ('acme',  500.00, '2024-03-16'),  -- 15 days: 1-30
    ('acme',  200.00, '2024-02-15'),  -- 45 days: 31-60
    ('acme',  100.00, '2024-01-16'),  -- 75 days: 61-90
    ('acme',   50.00, '2023-06-30'),  -- 275 days: 91+
    ('bolt',  333.33, '2024-03-01'),  -- 30 days: 1-30
    ('bolt',  -33.33, '2024-03-02');  -- 29 days: 1-30, a credit note

-- Rates {0.005, 0.02, 0.1, 0.4, 1} at as_of 2024-03-31:
--   acme: 1000 * 0.005 + 500 * 0.02 + 200 * 0.1 + 100 * 0.4 + 50 * 1
--         = 5 + 10 + 20 + 40 + 50 = 125, shown with 2 + 3 decimals:
--         125.00000 (as sum(amount * rate) would show it);
--   bolt: (333.33 - 33.33) * 0.02 = 6.00000.
SELECT customer_id,
       crisk.expected_credit_loss(amount, due_date, '2024-03-31', '{0.005,0.02,0.1,0.4,1}') AS ecl
FROM ecl_items GROUP BY customer_id ORDER BY customer_id;

-- The same in SQL, row by row, and the portfolio: the provisions of the
-- customers add up to the portfolio's exactly (131.00000).
SELECT crisk.expected_credit_loss(amount, due_date, '2024-03-31', '{0.005,0.02,0.1,0.4,1}') AS ecl,
       sum(amount * ('{0.005,0.02,0.1,0.4,1}'::numeric[])[crisk.aging_bucket_index(due_date, '2024-03-31') + 1]) AS by_hand
FROM ecl_items;

-- Custom bounds {30,90}: current, 1-30, 31-90, 91+ and four rates
-- {0.01, 0.05, 0.25, 1}:
--   acme: 1000 * 0.01 + 500 * 0.05 + (200 + 100) * 0.25 + 50 * 1
--         = 10 + 25 + 75 + 50 = 160.0000;
--   bolt: 300 * 0.05 = 15.0000.
SELECT customer_id,
       crisk.expected_credit_loss(amount, due_date, '2024-03-31', '{0.01,0.05,0.25,1}', '{30,90}') AS ecl
FROM ecl_items GROUP BY customer_id ORDER BY customer_id;

-- The result is exact, never rounded: 0.01 at 0.5 % is 0.00005.
SELECT crisk.expected_credit_loss(0.01, '2024-04-30', '2024-03-31', '{0.005,0.02,0.1,0.4,1}');
-- Rates with many decimals: 1000.00 * 0.0123456789 = 12.3456789, shown
-- with 2 + 10 decimals: 12.345678900000.
SELECT crisk.expected_credit_loss(1000.00, '2024-04-30', '2024-03-31', '{0.0123456789,0,0,0,1}');

-- Huge amounts: 10^33 at 40 % and 3 * 10^33 at 100 %: 3.4 * 10^33; then
-- buckets of 2 * 10^36 each, totals beyond 2^120, multiplied in numeric:
-- 2 * 10^36 * (0.5 + 0.25) = 1.5 * 10^36.
SELECT crisk.expected_credit_loss(amount, due_date, '2024-03-31', '{0,0,0,0.4,1}')
FROM (VALUES (1e33, '2024-01-16'::date), (3e33, '2023-01-01')) AS t(amount, due_date);
SELECT crisk.expected_credit_loss(amount, due_date, '2024-03-31', '{0.5,0.25,0,0,0}')
FROM (VALUES (1e36, '2024-04-30'::date), (1e36, '2024-04-30'),
             (1e36, '2024-03-30'), (1e36, '2024-03-30')) AS t(amount, due_date);

-- No rows; rows with a NULL amount, due_date, as_of, loss_rates or bounds
-- (left out): NULL.
SELECT crisk.expected_credit_loss(amount, due_date, '2024-03-31', '{0,0,0,0,1}') IS NULL AS no_rows
FROM ecl_items WHERE false;
SELECT crisk.expected_credit_loss(amount, '2024-01-01', '2024-03-31', rates) IS NULL AS all_null
FROM (VALUES (NULL::numeric, '{0,0,0,0,1}'::numeric[]), (10, NULL)) AS t(amount, rates);
SELECT crisk.expected_credit_loss(10, '2024-01-01', '2024-03-31', '{0,0,0,1}', NULL) IS NULL AS null_bounds;

-- Bad loss rates: not one per bucket (4 for the 5 default buckets; 5 for
-- bounds {30,90}); a NULL; below 0; above 1; NaN; two-dimensional: 22023.
SELECT crisk.expected_credit_loss(10, '2024-01-01', '2024-03-31', '{0,0,0,1}');
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.expected_credit_loss(10, '2024-01-01', '2024-03-31', '{0,0,0,0,1}', '{30,90}');
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.expected_credit_loss(10, '2024-01-01', '2024-03-31', '{0,0,NULL,0,1}');
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.expected_credit_loss(10, '2024-01-01', '2024-03-31', '{0,-0.01,0,0,1}');
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.expected_credit_loss(10, '2024-01-01', '2024-03-31', '{0,0,0,0,1.5}');
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.expected_credit_loss(10, '2024-01-01', '2024-03-31', '{0,0,NaN,0,1}');
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.expected_credit_loss(10, '2024-01-01', '2024-03-31', '{{0,0,0,0,1}}');
\echo :LAST_ERROR_SQLSTATE
-- Loss rates or bounds differing between rows of a group: 22023.
SELECT crisk.expected_credit_loss(amount, '2024-01-01', '2024-03-31', rates)
FROM (VALUES (1, '{0,0,0,0,1}'::numeric[]), (2, '{0,0,0,0.5,1}')) AS t(amount, rates);
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.expected_credit_loss(amount, '2024-01-01', '2024-03-31', '{0,0,0,1}', bounds)
FROM (VALUES (1, '{30,90}'::int[]), (2, '{30,60}')) AS t(amount, bounds);
\echo :LAST_ERROR_SQLSTATE
-- Bad bounds, bad amounts: 22023 as for crisk.aging.
SELECT crisk.expected_credit_loss(10, '2024-01-01', '2024-03-31', '{0,1}', '{}');
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.expected_credit_loss('NaN', '2024-01-01', '2024-03-31', '{0,0,0,0,1}');
\echo :LAST_ERROR_SQLSTATE

-- Rates that change with the bounds between groups are fine: each group
-- keeps its own.  acme with {30,90} as above (160.0000), bolt with the
-- default bounds and rates (6.00000).
SELECT customer_id,
       crisk.expected_credit_loss(amount, due_date, '2024-03-31', rates, bounds) AS ecl
FROM ecl_items
JOIN (VALUES ('acme', '{0.01,0.05,0.25,1}'::numeric[], '{30,90}'::int[]),
             ('bolt', '{0.005,0.02,0.1,0.4,1}', '{30,60,90}')) AS m(customer, rates, bounds)
  ON m.customer = customer_id
GROUP BY customer_id ORDER BY customer_id;

DROP TABLE ecl_items;
