-- The aggregate crisk.payment_profile(amount, issue_date, due_date,
-- paid_date, as_of) -> crisk.payment_profile.  Each failing statement is
-- followed by its SQLSTATE.  Profiles are expanded from a subquery, so the
-- aggregate runs once per group.

CREATE TABLE profile_invoices (customer_id text, amount numeric, issue_date date,
                               due_date date, paid_date date);
INSERT INTO profile_invoices VALUES
    -- acme, as_of 2024-03-31:
    ('acme', 1000.00, '2023-12-01', '2023-12-31', '2024-01-10'),  -- A: paid 10 days late
    ('acme',  500.00, '2024-01-05', '2024-02-04', '2024-02-01'),  -- B: paid 3 days early
    ('acme',  250.00, '2024-02-01', '2024-03-02', NULL),          -- C: open, 29 days past due
    ('acme',  250.00, '2024-03-01', '2024-03-31', '2024-04-05'),  -- D: paid after as_of: open, due today
    ('acme', -100.00, '2024-03-10', '2024-03-10', NULL),          -- E: credit note, open, 21 days past due
    ('acme',  300.00, '2024-04-02', '2024-05-02', NULL),          -- F: issued after as_of: ignored
    -- bolt: weighting by amount.
    ('bolt', 9000, '2024-01-01', '2024-01-31', '2024-02-01'),     -- 1 day late
    ('bolt', 1000, '2024-01-01', '2024-01-31', '2024-02-21'),     -- 21 days late
    -- coda: everything paid on its due date, the last one on as_of.
    ('coda',  100, '2024-02-01', '2024-03-01', '2024-03-01'),
    ('coda',  100, '2024-03-01', '2024-03-31', '2024-03-31'),
    -- dune: nothing paid, nothing due yet.
    ('dune',  100, '2024-03-15', '2024-04-14', NULL);

-- acme:
--   invoices 5 (A-E), open_invoices 3 (C, D, E);
--   billed 1000 + 500 + 250 + 250 - 100 = 1900.00; open 250 + 250 - 100 = 400.00;
--   overdue (open debit items past due; E is a credit note): C 250 = 250.00;
--   days beyond terms of the paid invoices: A 10 (weight 1000), B -3 (500):
--     mean (10000 - 1500) / 1500 = 5.6667;
--     variance (1500 * (1000 * 100 + 500 * 9) - 8500^2) / 1500^2
--       = 84500000 / 2250000 = 37.5556, standard deviation 6.1283;
--   late share: late A 1000 + C 250 = 1250 over paid A + B + open past due
--     C = 1750: 0.7143 (E, a credit note, and D, not yet due, do not count);
--   max days late: A 10, C 29 -> 29;
--   DSO over (2024-01-01, 2024-03-31]: open 400 / issued B + C + D + E = 900
--     * 90 = 40.00;
--   last payment 2024-02-01 (B; D's 2024-04-05 is after as_of).
-- bolt: mean (9000 * 1 + 1000 * 21) / 10000 = 3; mean square
--   (9000 + 1000 * 441) / 10000 = 45, variance 45 - 9 = 36, deviation 6;
--   both late: late share 1; max 21; both were issued on 2024-01-01, just
--   before the 90-day period (2024-01-01, 2024-03-31]: no sales, DSO NULL.
-- coda: beyond terms 0 for both: mean 0, deviation 0, late share 0, max
--   days late 0 (there were payments, none late); last payment on as_of.
-- dune: no payment and nothing due: the behaviour fields are NULL; DSO
--   100 / 100 * 90 = 90.00.
SELECT customer_id, (p).*
FROM (SELECT customer_id,
             crisk.payment_profile(amount, issue_date, due_date, paid_date, '2024-03-31') AS p
      FROM profile_invoices GROUP BY customer_id) AS profiles
ORDER BY customer_id;

-- The same profiles through (aggregate).*, which PostgreSQL evaluates as
-- one aggregate per field sharing one state: the final function runs
-- eleven times on the same state and must not change it.
SELECT (crisk.payment_profile(amount, issue_date, due_date, paid_date, '2024-03-31')).*
FROM profile_invoices WHERE customer_id = 'acme';

-- An earlier as_of sees the ledger as it was: at 2024-01-31, acme had
-- issued A and B (1500.00); A was paid on 2024-01-10 (10 days late), B
-- was open and not yet due; the late share is 1000 / 1000 = 1; DSO over
-- (2023-11-02, 2024-01-31]: open 500 / issued 1500 * 90 = 30.00.
SELECT (p).*
FROM (SELECT crisk.payment_profile(amount, issue_date, due_date, paid_date, '2024-01-31') AS p
      FROM profile_invoices WHERE customer_id = 'acme') AS profiles;

-- Leap years: due 2024-02-28, paid 2024-03-01 is 2 days beyond terms;
-- due 2023-02-28, paid 2023-03-01 is 1.
SELECT (p).avg_days_beyond_terms, (p).max_days_late
FROM (SELECT crisk.payment_profile(100, '2024-01-29', '2024-02-28', '2024-03-01', '2024-03-31') AS p) AS a;
SELECT (p).avg_days_beyond_terms, (p).max_days_late
FROM (SELECT crisk.payment_profile(100, '2023-01-29', '2023-02-28', '2023-03-01', '2023-03-31') AS p) AS a;

-- Only credit notes: counted and totalled, but no payment behaviour:
-- invoices 2, billed -150.50, open -50.50, overdue 0 (a credit note is
-- never overdue).
SELECT (p).*
FROM (SELECT crisk.payment_profile(amount, issue_date, due_date, paid_date, '2024-03-31') AS p
      FROM (VALUES (-100.00, '2024-01-01'::date, '2024-01-01'::date, '2024-01-20'::date),
                   (-50.50, '2024-03-01', '2024-03-01', NULL)) AS t(amount, issue_date, due_date, paid_date)) AS a;

-- Every invoice issued after as_of: a profile of nothing, not NULL.
SELECT (p).*
FROM (SELECT crisk.payment_profile(100.25, '2024-04-01', '2024-05-01', NULL, '2024-03-31') AS p) AS a;

-- No rows, and rows whose amount, issue_date, due_date or as_of is NULL
-- (left out): NULL.
SELECT crisk.payment_profile(amount, issue_date, due_date, paid_date, '2024-03-31') IS NULL AS no_rows
FROM profile_invoices WHERE false;
SELECT crisk.payment_profile(amount, issue_date, due_date, paid_date, as_of) IS NULL AS all_null
FROM (VALUES (NULL::numeric, '2024-01-01'::date, '2024-01-31'::date, NULL::date, '2024-03-31'::date),
             (10, NULL, '2024-01-31', NULL, '2024-03-31'),
             (10, '2024-01-01', NULL, NULL, '2024-03-31'),
             (10, '2024-01-01', '2024-01-31', NULL, NULL)) AS t(amount, issue_date, due_date, paid_date, as_of);

-- Huge amounts: 10^30 paid 10 days late, 3 * 10^30 paid 2 days early:
-- mean (10^31 - 6 * 10^30) / (4 * 10^30) = 1; mean square (10^32 + 1.2 *
-- 10^31) / (4 * 10^30) = 28; variance 27, deviation sqrt(27) = 5.19615...;
-- late share 1/4.  Then the same with 10^37 and 3 * 10^37, whose weighted
-- sums of squares exceed 2^127 (computed in long double): the same ratios.
SELECT (p).billed, (p).avg_days_beyond_terms, (p).days_beyond_terms_stddev, (p).late_share
FROM (SELECT crisk.payment_profile(amount, '2024-01-01', '2024-01-31', paid_date, '2024-03-31') AS p
      FROM (VALUES (1e30, '2024-02-10'::date), (3e30, '2024-01-29')) AS t(amount, paid_date)) AS a;
SELECT (p).billed, (p).avg_days_beyond_terms, round((p).days_beyond_terms_stddev::numeric, 12) AS stddev,
       (p).late_share
FROM (SELECT crisk.payment_profile(amount, '2024-01-01', '2024-01-31', paid_date, '2024-03-31') AS p
      FROM (VALUES (1e37, '2024-02-10'::date), (3e37, '2024-01-29')) AS t(amount, paid_date)) AS a;

-- Errors (22023): as_of differing within a group; NaN; infinite dates.
SELECT crisk.payment_profile(10, '2024-01-01', '2024-01-31', NULL, as_of)
FROM (VALUES ('2024-03-31'::date), ('2024-04-30')) AS t(as_of);
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.payment_profile('NaN', '2024-01-01', '2024-01-31', NULL, '2024-03-31');
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.payment_profile(10, '2024-01-01', '2024-01-31', 'infinity', '2024-03-31');
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.payment_profile(10, '2024-01-01', '-infinity', NULL, '2024-03-31');
\echo :LAST_ERROR_SQLSTATE

DROP TABLE profile_invoices;
