-- The credit core's time windows read from SQL (src/time_windows.c,
-- sql/install/08_time_windows.sql), and the allocations' total
-- (sql/install/09_amount_total.sql).

-- The last twelve months end on as_of and start the day after as_of less a
-- year; 29 February goes back to 28 February.
SELECT d, crisk._twelve_months_start(d) AS start
FROM (VALUES (date '2024-06-30'), (date '2024-02-29'), (date '2025-02-28'),
             (date '2024-03-01'), (date '2024-01-01'), (date '2000-02-29')) AS v(d);
-- Infinite dates stay as they are; NULL gives NULL.
SELECT crisk._twelve_months_start('infinity') AS plus, crisk._twelve_months_start('-infinity') AS minus,
       crisk._twelve_months_start(NULL) IS NULL AS null_gives_null;
-- A year before the first date PostgreSQL represents is out of range.
SELECT crisk._twelve_months_start(date '4713-06-01 BC');
-- The C window and SQL's date arithmetic agree on every day of eight years
-- (two leap days, every month end).
SELECT count(*) AS days,
       count(*) FILTER (WHERE crisk._twelve_months_start(d::date)
                              IS DISTINCT FROM (d::date - interval '1 year')::date) AS disagree
FROM generate_series(date '2019-01-01', date '2026-12-31', interval '1 day') AS d;

-- The overdue alert's window is the 90 days its kind is named after.
SELECT crisk._overdue_alert_days() AS days,
       EXISTS (SELECT FROM crisk.alert_kind k
               WHERE k.kind = 'overdue_' || crisk._overdue_alert_days()) AS kind_named_after_it;

-- The DSO period is 90 days, the payment profile's and crisk.dso's at it: as
-- of 2024-06-30, 1 000 issued 100 days before (paid, out of the period),
-- 600 and 300 issued 50 and 10 days before (open): receivables 900 over
-- sales of 900 in the period give 900 / 900 x 90 = 90 days (60 over 60).
SELECT crisk._dso_period_days() AS days, (crisk.payment_profile(amount, issue, issue + 30, paid, '2024-06-30')).dso AS profile_dso,
       crisk.dso(amount, issue, paid, '2024-06-30', crisk._dso_period_days()) AS dso_at_period,
       crisk.dso(amount, issue, paid, '2024-06-30', 60) AS dso_at_60
FROM (VALUES (1000.00, date '2024-06-30' - 100, date '2024-05-01'),
             (600.00, date '2024-06-30' - 50, NULL::date),
             (300.00, date '2024-06-30' - 10, NULL)) AS v(amount, issue, paid);

-- They fold to constants when a query is planned.
EXPLAIN (COSTS OFF) SELECT FROM crisk.invoice i
WHERE i.due_date < crisk._twelve_months_start(date '2024-02-29') - crisk._overdue_alert_days();

-- No function body writes a window again: every one calls the functions
-- above.
SELECT p.oid::regprocedure AS writes_a_window_again
FROM pg_proc p
WHERE p.pronamespace = 'crisk'::regnamespace
  AND p.prolang <> (SELECT oid FROM pg_language WHERE lanname = 'c')
  AND (p.prosrc ~* '''(1 year|12 months|365 days)''' OR p.prosrc ~ '[-+] 90\M');

-- crisk._amount_total is sum(numeric): the scale of the most precise
-- amount, NULLs skipped, NULL over no amounts or only NULLs.
SELECT crisk._amount_total(x) AS total, sum(x) AS sum,
       crisk._amount_total(x)::text = sum(x)::text AS same_text
FROM (VALUES (10.5), (0.25), (NULL), (-3)) AS v(x);
SELECT crisk._amount_total(x) AS total FROM (VALUES (1.10), (2)) AS v(x);
SELECT crisk._amount_total(x) IS NULL AS no_rows FROM (VALUES (1.0)) AS v(x) WHERE false;
SELECT crisk._amount_total(x) IS NULL AS only_nulls FROM (VALUES (NULL::numeric)) AS v(x);
-- Grouped by hashing, as the allocation readers group: each group's total.
SELECT g, crisk._amount_total(x) AS total
FROM (VALUES ('a', 100.00), ('b', 0.01), ('a', -33.33), ('b', 0.001), ('a', -66.67)) AS v(g, x)
GROUP BY g ORDER BY g;
