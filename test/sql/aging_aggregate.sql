-- The aggregate crisk.aging(amount, due_date, as_of [, bounds]): open amount
-- per aging bucket, element 1 = current.  Each failing statement is followed
-- by its SQLSTATE.

CREATE TABLE aging_items (customer_id text, amount numeric, due_date date);
INSERT INTO aging_items VALUES
    ('acme',  100.00, '2024-04-15'),   -- -15 days: current
    ('acme',   50.25, '2024-03-31'),   --   0 days: current (due today)
    ('acme',   30.00, '2024-03-30'),   --   1 day:  1-30
    ('acme',   20.10, '2024-03-01'),   --  30 days: 1-30
    ('acme',   10.00, '2024-02-29'),   --  31 days: 31-60 (leap day; March has 31 days)
    ('acme',    5.55, '2024-01-01'),   --  90 days: 61-90
    ('acme',    1.00, '2023-12-31'),   --  91 days: 91+
    ('acme',  -40.00, '2023-06-30'),   -- 275 days: 91+ (a credit note)
    ('bolt', 1000,    '2024-02-15'),   --  45 days: 31-60
    ('bolt',  999.999,'2024-03-31');   --   0 days: current

-- Default buckets at as_of 2024-03-31, per customer:
--   acme: current 100.00 + 50.25 = 150.25; 1-30 30.00 + 20.10 = 50.10;
--         31-60 10.00; 61-90 5.55; 91+ 1.00 - 40.00 = -39.00.
--   bolt: current 999.999; 31-60 1000, shown with 3 decimals like the rest.
SELECT customer_id, crisk.aging(amount, due_date, '2024-03-31') AS aging
FROM aging_items GROUP BY customer_id ORDER BY customer_id;

-- The whole portfolio: current 150.25 + 999.999 = 1150.249; 31-60 10 + 1000
-- = 1010.000; the other buckets as acme's.
SELECT crisk.aging(amount, due_date, '2024-03-31') FROM aging_items;

-- Each element equals sum(amount) over the rows of its bucket.
SELECT crisk.aging(amount, due_date, '2024-03-31') =
       ARRAY[sum(amount) FILTER (WHERE crisk.aging_bucket_index(due_date, '2024-03-31') = 0),
             sum(amount) FILTER (WHERE crisk.aging_bucket_index(due_date, '2024-03-31') = 1),
             sum(amount) FILTER (WHERE crisk.aging_bucket_index(due_date, '2024-03-31') = 2),
             sum(amount) FILTER (WHERE crisk.aging_bucket_index(due_date, '2024-03-31') = 3),
             sum(amount) FILTER (WHERE crisk.aging_bucket_index(due_date, '2024-03-31') = 4)]
       AS equals_sum_per_bucket
FROM aging_items;

-- Custom bounds {15,45}: current, 1-15, 16-45, 46+.  At as_of 2024-03-31:
--   acme: current 150.25; 1-15: 30.00 (1 day); 16-45: 20.10 (30) + 10.00 (31)
--         = 30.10; 46+: 5.55 (90) + 1.00 (91) - 40.00 (275) = -33.45.
--   bolt: current 999.999; 16-45: 1000 (45 days, the bound itself).
SELECT customer_id, crisk.aging(amount, due_date, '2024-03-31', '{15,45}') AS aging
FROM aging_items GROUP BY customer_id ORDER BY customer_id;

-- Month ends.  At as_of 2024-02-29 (leap year), due 2024-01-31 is 29 days
-- past due, 2024-01-30 is 30 (both 1-30), 2024-01-29 is 31 (31-60).
-- At as_of 2023-02-28, due 2023-01-29 is 30 days (1-30), 2023-01-28 is 31.
SELECT crisk.aging(amount, due_date, '2024-02-29')
FROM (VALUES (1, '2024-01-31'::date), (2, '2024-01-30'), (4, '2024-01-29')) AS t(amount, due_date);
SELECT crisk.aging(amount, due_date, '2023-02-28')
FROM (VALUES (2, '2023-01-29'::date), (4, '2023-01-28')) AS t(amount, due_date);

-- Every row is aged at its own as_of: due 2024-01-01 is 14 days past due
-- at 2024-01-15 (1-30) and 105 at 2024-04-15 (91+).
SELECT crisk.aging(amount, due_date, as_of)
FROM (VALUES (10, '2024-01-01'::date, '2024-01-15'::date),
             (20, '2024-01-01', '2024-04-15')) AS t(amount, due_date, as_of);

-- A credit note larger than the bucket's invoices makes it negative:
-- current 100 - 250.5 = -150.5.
SELECT crisk.aging(amount, due_date, '2024-03-31')
FROM (VALUES (100, '2024-04-30'::date), (-250.5, '2024-05-31')) AS t(amount, due_date);

-- The display scale is the largest of the amounts': 1 + 0.5 = 1.5 and
-- empty buckets 0.0; integers only show no decimals; trailing zeros
-- given in the input count (2.000 has 3 decimals).
SELECT crisk.aging(amount, due_date, '2024-03-31')
FROM (VALUES (1, '2024-04-30'::date), (0.5, '2024-04-30')) AS t(amount, due_date);
SELECT crisk.aging(amount, due_date, '2024-03-31')
FROM (VALUES (7, '2024-03-01'::date), (8, '2024-03-02')) AS t(amount, due_date);
SELECT crisk.aging(amount, due_date, '2024-03-31')
FROM (VALUES (2.000, '2024-03-01'::date)) AS t(amount, due_date);

-- The results are numerics in PostgreSQL's own canonical form: same
-- stored size as sum() gives for the same value.
SELECT pg_column_size((crisk.aging(amount, due_date, '2024-03-31'))[1]) =
       pg_column_size(sum(amount)) AS same_size
FROM (VALUES (123456789.12, '2024-04-30'::date), (-0.02, '2024-04-30')) AS t(amount, due_date);

-- No rows give NULL; rows whose amount, due_date, as_of or bounds is NULL
-- are left out (as sum() leaves out NULLs), so all-NULL input gives NULL.
SELECT crisk.aging(amount, due_date, '2024-03-31') IS NULL AS no_rows
FROM aging_items WHERE false;
SELECT crisk.aging(amount, due_date, as_of) IS NULL AS all_null
FROM (VALUES (NULL::numeric, '2024-01-01'::date, '2024-02-01'::date),
             (10, NULL, '2024-02-01'),
             (10, '2024-01-01', NULL)) AS t(amount, due_date, as_of);
-- Only the complete row counts: 5 due 2024-01-01 is 31 days past due.
SELECT crisk.aging(amount, due_date, as_of, bounds)
FROM (VALUES (5, '2024-01-01'::date, '2024-02-01'::date, '{30,60,90}'::int[]),
             (NULL, '2024-01-01', '2024-02-01', '{30,60,90}'),
             (7, '2024-01-01', '2024-02-01', NULL)) AS t(amount, due_date, as_of, bounds);

-- Huge amounts stay exact: 10^33 + 10^33 - 0.01 per bucket, far beyond
-- what float8 or bigint hold.
SELECT crisk.aging(amount, due_date, '2024-03-31')
FROM (VALUES (1e33, '2024-04-30'::date), (1e33, '2024-04-30'), (-0.01, '2024-04-30'),
             (99999999999999999999999999999999.99, '2023-01-01')) AS t(amount, due_date);
-- Many decimals stay exact too: 30 decimals, and 1/3 (20 decimals) three
-- times: 0.99999999999999999999.
SELECT crisk.aging(amount, due_date, '2024-03-31')
FROM (VALUES (0.000000000000000000000000000001, '2024-04-30'::date),
             (1000, '2024-04-30')) AS t(amount, due_date);
SELECT crisk.aging(amount, due_date, '2024-03-31') = ARRAY[sum(amount), 0, 0, 0, 0] AS exact_thirds,
       (crisk.aging(amount, due_date, '2024-03-31'))[1]
FROM (SELECT 1 / 3::numeric, '2024-04-30'::date FROM generate_series(1, 3)) AS t(amount, due_date);

-- The largest amount with 4 decimals: 2^127 - 1 = 170141183460469231731687303715884105727
-- units of 10^-4; twice it still totals exactly (the totals have 256 bits).
SELECT crisk.aging(amount, '2024-04-30', '2024-03-31')
FROM (VALUES (17014118346046923173168730371588410.5727),
             (17014118346046923173168730371588410.5727)) AS t(amount);

-- Beyond the exact range, 22003: one unit more than the above; an amount
-- of 10^40; 37 decimal places; the amount 10^10 in a group that also has
-- 30 decimals (10^42 units of 10^-32).
SELECT crisk.aging(amount, '2024-04-30', '2024-03-31')
FROM (VALUES (17014118346046923173168730371588410.5728)) AS t(amount);
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.aging(amount, '2024-04-30', '2024-03-31') FROM (VALUES (1e40)) AS t(amount);
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.aging(amount, '2024-04-30', '2024-03-31')
FROM (VALUES (0.0000000000000000000000000000000000001)) AS t(amount);
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.aging(amount, '2024-04-30', '2024-03-31')
FROM (VALUES (0.000000000000000000000000000001), (1e10)) AS t(amount);
\echo :LAST_ERROR_SQLSTATE
-- ... and numeric's own extremes: 10^131071 and 10^-16383.
SELECT crisk.aging(amount, '2024-04-30', '2024-03-31') FROM (VALUES (1e131071)) AS t(amount);
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.aging(amount, '2024-04-30', '2024-03-31') FROM (VALUES (1e-16383)) AS t(amount);
\echo :LAST_ERROR_SQLSTATE

-- NaN and infinite amounts, infinite dates: 22023.
SELECT crisk.aging(amount, '2024-04-30', '2024-03-31') FROM (VALUES ('NaN'::numeric)) AS t(amount);
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.aging(amount, '2024-04-30', '2024-03-31') FROM (VALUES ('-Infinity'::numeric)) AS t(amount);
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.aging(10, 'infinity', '2024-03-31');
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.aging(10, '2024-03-31', '-infinity');
\echo :LAST_ERROR_SQLSTATE

-- Bad bounds: 22023, as for crisk.aging_bucket.
SELECT crisk.aging(10, '2024-03-01', '2024-03-31', '{}');
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.aging(10, '2024-03-01', '2024-03-31', '{60,30}');
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.aging(10, '2024-03-01', '2024-03-31', '{0}');
\echo :LAST_ERROR_SQLSTATE
-- Bounds that differ between rows of a group: the buckets would not line up.
SELECT crisk.aging(amount, '2024-03-01', '2024-03-31', bounds)
FROM (VALUES (1, '{30,60,90}'::int[]), (2, '{30,60}')) AS t(amount, bounds);
\echo :LAST_ERROR_SQLSTATE
-- ... but the same bounds written twice are fine: 1 + 2 = 3 in 1-30.
SELECT crisk.aging(amount, '2024-03-01', '2024-03-31', bounds)
FROM (VALUES (1, '{30,60}'::int[]), (2, '{30,60}')) AS t(amount, bounds);

-- As a window aggregate, the final function runs once per row on a state
-- that keeps growing; it must not change it.  Running totals by due date:
SELECT due_date, amount,
       crisk.aging(amount, due_date, '2024-03-31') OVER (ORDER BY due_date) AS running
FROM aging_items WHERE customer_id = 'acme' AND amount > 5
ORDER BY due_date;

-- As the SQL contract says: named like this, PARALLEL SAFE, with a combine
-- function and a real state type.
SELECT p.oid::regprocedure AS aggregate, p.proparallel, a.aggcombinefn, a.aggtranstype::regtype
FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid
WHERE p.proname = 'aging' ORDER BY 1::text;

DROP TABLE aging_items;
