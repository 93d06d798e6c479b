-- Days past due and aging buckets: crisk.days_past_due, crisk.aging_bucket,
-- crisk.aging_bucket_index.  Each error is followed by its SQLSTATE.

-- days_past_due = as_of - due_date.
-- 2024 is a leap year: 2024-01-31 to 2024-02-29 is 29 days, +1 to 03-01 = 30.
-- 2023 is not: 2023-01-31 to 2023-02-28 is 28 days, +1 to 03-01 = 29.
-- Not yet due gives a negative count: 2024-12-01 - 2024-12-31 = -30.
-- Due today gives 0.  1900 was not a leap year (28 days in February).
SELECT crisk.days_past_due('2024-01-31', '2024-03-01') AS leap_year,
       crisk.days_past_due('2023-01-31', '2023-03-01') AS common_year,
       crisk.days_past_due('2024-12-31', '2024-12-01') AS not_yet_due,
       crisk.days_past_due('2024-06-30', '2024-06-30') AS due_today,
       crisk.days_past_due('1900-02-28', '1900-03-01') AS year_1900,
       crisk.days_past_due('2000-02-28', '2000-03-01') AS year_2000;

-- A full year across a leap day: 2023-12-31 to 2024-12-31 is 366 days.
SELECT crisk.days_past_due('2023-12-31', '2024-12-31') AS leap_year_span;

-- Unknown dates give unknown results.
SELECT crisk.days_past_due(NULL, '2024-01-01') IS NULL AS null_due,
       crisk.days_past_due('2024-01-01', NULL) IS NULL AS null_as_of;

-- Infinite dates have no day count.
SELECT crisk.days_past_due('infinity', '2024-01-01');
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.days_past_due('2024-01-01', '-infinity');
\echo :LAST_ERROR_SQLSTATE
-- The widest range of finite dates, Julian day 0 (4714-11-24 BC) to the last
-- date PostgreSQL accepts (5874897-12-31, Julian day 2147483493), still fits.
SELECT crisk.days_past_due('4714-11-24 BC', '5874897-12-31') AS widest,
       crisk.days_past_due('5874897-12-31', '4714-11-24 BC') AS widest_negative;

-- Default buckets at every edge, as_of 2024-03-31:
--   due 2024-04-01: -1 day  -> current      due 2024-03-31:  0 -> current
--   due 2024-03-30:  1      -> 1-30         due 2024-03-01: 30 -> 1-30
--   due 2024-02-29: 31      -> 31-60        (leap day; March has 31 days)
--   due 2024-01-31: 60      -> 31-60        due 2024-01-30: 61 -> 61-90
--   due 2024-01-01: 90      -> 61-90        due 2023-12-31: 91 -> 91+
--   due 2000-01-01: 8856    -> 91+
SELECT due_date,
       crisk.days_past_due(due_date, '2024-03-31') AS days_past_due,
       crisk.aging_bucket(due_date, '2024-03-31') AS bucket,
       crisk.aging_bucket_index(due_date, '2024-03-31') AS bucket_index
FROM (VALUES ('2024-04-01'::date), ('2024-03-31'), ('2024-03-30'),
             ('2024-03-01'), ('2024-02-29'), ('2024-01-31'), ('2024-01-30'),
             ('2024-01-01'), ('2023-12-31'), ('2000-01-01')) AS t(due_date)
ORDER BY due_date DESC;

-- Custom bounds {15,45}: current, 1-15, 16-45, 46+ (indexes 0..3).
-- Days past due 15, 16, 45, 46 at as_of 2024-03-31 are due dates
-- 03-16, 03-15, 02-15 (29 + 16 = 45) and 02-14.
SELECT due_date,
       crisk.aging_bucket(due_date, '2024-03-31', '{15,45}') AS bucket,
       crisk.aging_bucket_index(due_date, '2024-03-31', '{15,45}') AS bucket_index
FROM (VALUES ('2024-03-16'::date), ('2024-03-15'), ('2024-02-15'),
             ('2024-02-14')) AS t(due_date)
ORDER BY due_date DESC;

-- A single bound of one day: 1-1 and 2+.
SELECT crisk.aging_bucket('2024-03-30', '2024-03-31', '{1}') AS one_day,
       crisk.aging_bucket('2024-03-29', '2024-03-31', '{1}') AS two_days;

-- Bounds that change from row to row are honoured on every row (the parsed
-- bounds are cached between calls and must not leak to the next row).
-- 2024-01-01 to 2024-03-01 is 31 + 29 = 60 days past due.
SELECT bounds, crisk.aging_bucket('2024-01-01', '2024-03-01', bounds) AS bucket
FROM (VALUES ('{30,60,90}'::int[]), ('{100}'), ('{10,20,30,40,50,60}'),
             ('{30,60,90}')) AS t(bounds);

-- NULL in any argument: the function is strict.
SELECT crisk.aging_bucket(NULL, '2024-03-31') IS NULL AS null_due,
       crisk.aging_bucket('2024-03-31', NULL) IS NULL AS null_as_of,
       crisk.aging_bucket('2024-03-31', '2024-03-31', NULL) IS NULL AS null_bounds,
       crisk.aging_bucket_index(NULL, '2024-03-31') IS NULL AS null_index;

-- Bad bounds: empty, unsorted, repeated, zero, negative, containing a NULL,
-- two-dimensional, too many.
SELECT crisk.aging_bucket('2024-01-01', '2024-03-01', '{}');
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.aging_bucket('2024-01-01', '2024-03-01', '{60,30}');
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.aging_bucket('2024-01-01', '2024-03-01', '{30,30,60}');
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.aging_bucket('2024-01-01', '2024-03-01', '{0,30}');
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.aging_bucket_index('2024-01-01', '2024-03-01', '{-5,30}');
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.aging_bucket('2024-01-01', '2024-03-01', '{30,NULL,90}');
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.aging_bucket('2024-01-01', '2024-03-01', '{{30,60},{90,120}}');
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.aging_bucket('2024-01-01', '2024-03-01',
                          (SELECT array_agg(g) FROM generate_series(1, 65) g));
\echo :LAST_ERROR_SQLSTATE
-- 64 bounds are accepted: 60 days past due falls in bucket 60, '60-60'.
SELECT crisk.aging_bucket('2024-01-01', '2024-03-01',
                          (SELECT array_agg(g) FROM generate_series(1, 64) g));
-- A bad array in a later row is caught even after a good one was cached.
SELECT crisk.aging_bucket('2024-01-01', '2024-03-01', bounds)
FROM (VALUES ('{30,60}'::int[]), ('{60,30}')) AS t(bounds);
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.aging_bucket('2024-01-01', '2024-03-01', '{60}');

-- Bad dates in aging_bucket name the argument.
SELECT crisk.aging_bucket('infinity', '2024-03-01');
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.aging_bucket_index('2024-03-01', 'infinity');
\echo :LAST_ERROR_SQLSTATE
