-- crisk._rescore_ledger: what a rescoring pass reads from one customer's
-- ledger, in one aggregate.  Worked out by hand for as_of = 2024-02-29, a
-- leap day: "the last 12 months" are the issue dates after 2023-02-28
-- (2024-02-29 - interval '1 year'), "over 90 days" the due dates before
-- 2023-12-01 (2024-02-29 - 90).
CREATE TEMP TABLE ledger_rows (customer_id text, invoice text, amount numeric,
                               issue_date date, due_date date, paid_date date);
INSERT INTO ledger_rows VALUES
    -- A: issued on the cut-off day itself: not in the 12-month sales; paid
    ('A', 'A1', 100.00, '2023-02-28', '2023-03-30', '2023-04-01'),
    -- open, due 2023-03-31: over 90 days
    ('A', 'A2', 250.5,  '2023-03-01', '2023-03-31', NULL),
    -- a credit note paid after as_of: open at as_of, but a credit note is
    -- never overdue, so neither of the due dates
    ('A', 'A3', -50,    '2023-06-01', '2023-07-01', '2024-03-10'),
    -- no amount: out of the profile, the sales and the due dates (not a
    -- debit item), but the first issue date
    ('A', 'A4', NULL,   '2022-01-15', '2022-02-15', NULL),
    -- no due date: out of the profile and the due dates, in the sales
    ('A', 'A5', 75,     '2024-01-10', NULL, NULL),
    -- issued after as_of: left out altogether
    ('A', 'A6', 999,    '2024-03-01', '2024-03-31', NULL),
    -- issued on as_of, three decimals, not yet due
    ('A', 'A7', 10.125, '2024-02-29', '2024-03-30', NULL),
    -- B: nothing issued by as_of
    ('B', 'B1', 500,    '2024-03-15', '2024-04-15', NULL),
    -- C: one invoice without amount or due date, paid
    ('C', 'C1', NULL,   '2023-05-05', NULL, '2023-06-01');

-- first_issue_date 2022-01-15 (A4); sales 250.5 - 50 + 75 + 10.125 =
-- 285.625; oldest open due and newest over 90 days both 2023-03-31 (A2,
-- the only open debit item due that long ago: A3 is a credit note, A4 has
-- no amount).  B: NULL.  C: only its first issue date (paid: no open due
-- date).
SELECT customer_id, (f).first_issue_date, (f).sales_12_months, (f).oldest_open_due,
       (f).newest_due_over_90, f IS NULL AS nothing_issued
FROM (SELECT customer_id,
             crisk._rescore_ledger(amount, issue_date, due_date, paid_date, '2024-02-29') AS f
      FROM ledger_rows GROUP BY customer_id) AS g
ORDER BY customer_id;

-- The profile is crisk.payment_profile of the rows with an amount and a due
-- date issued by as_of (A1, A2, A3, A7): the same row, field by field.
SELECT (f).profile = p AS same_profile, ((f).profile).invoices, ((f).profile).open_amount
FROM (SELECT crisk._rescore_ledger(amount, issue_date, due_date, paid_date, '2024-02-29') AS f
      FROM ledger_rows WHERE customer_id = 'A') AS g,
     (SELECT crisk.payment_profile(amount, issue_date, due_date, paid_date, '2024-02-29') AS p
      FROM ledger_rows WHERE customer_id = 'A' AND issue_date <= '2024-02-29') AS q;

-- C has no profile: none of its rows has an amount.
SELECT (crisk._rescore_ledger(amount, issue_date, due_date, paid_date, '2024-02-29')).profile IS NULL
       AS no_profile
FROM ledger_rows WHERE customer_id = 'C';

-- Outside a leap day the 12 months run from the same day a year before:
-- as of 2024-03-01 they start after 2023-03-01, so A2 drops out and A6
-- comes in: 285.625 - 250.5 + 999 = 1034.125.
SELECT (f).sales_12_months
FROM (SELECT crisk._rescore_ledger(amount, issue_date, due_date, paid_date, '2024-03-01') AS f
      FROM ledger_rows WHERE customer_id = 'A') AS g;

-- The same figures as the five aggregates it replaces, on 20 000 invoices
-- with NULLs, credit notes and dates around as_of.
SELECT pg_catalog.setseed(0.7);
CREATE TEMP TABLE many AS
SELECT 'C' || (i % 200) AS customer_id,
       CASE WHEN i % 97 = 0 THEN NULL ELSE round((random() * 2000 - 300)::numeric, (i % 3)) END AS amount,
       issue AS issue_date,
       CASE WHEN i % 89 = 0 THEN NULL ELSE issue + (ARRAY[0, 30, 60])[1 + i % 3] END AS due_date,
       CASE WHEN random() < 0.3 THEN NULL ELSE issue + (random() * 120)::int END AS paid_date
FROM (SELECT i, date '2022-06-01' + (random() * 700)::int AS issue
      FROM generate_series(1, 20000) AS i) AS g;
WITH fused AS (
    SELECT customer_id, crisk._rescore_ledger(amount, issue_date, due_date, paid_date, '2024-02-29') AS f
    FROM many WHERE issue_date <= '2024-02-29' GROUP BY customer_id
), separate AS (
    SELECT customer_id,
           crisk.payment_profile(amount, issue_date, due_date, paid_date, '2024-02-29') AS profile,
           min(issue_date) AS first_issue_date,
           sum(amount) FILTER (WHERE issue_date > date '2024-02-29' - interval '1 year') AS sales_12_months,
           min(due_date) FILTER (WHERE amount > 0 AND (paid_date IS NULL OR paid_date > '2024-02-29')) AS oldest_open_due,
           max(due_date) FILTER (WHERE amount > 0 AND (paid_date IS NULL OR paid_date > '2024-02-29')
                                   AND due_date < date '2024-02-29' - 90) AS newest_due_over_90
    FROM many WHERE issue_date <= '2024-02-29' GROUP BY customer_id
)
SELECT count(*) AS customers,
       count(*) FILTER (WHERE (f).profile IS DISTINCT FROM s.profile
                           OR (f).first_issue_date IS DISTINCT FROM s.first_issue_date
                           OR (f).sales_12_months::text IS DISTINCT FROM s.sales_12_months::text
                           OR (f).oldest_open_due IS DISTINCT FROM s.oldest_open_due
                           OR (f).newest_due_over_90 IS DISTINCT FROM s.newest_due_over_90) AS differing
FROM fused JOIN separate AS s USING (customer_id);

-- as_of must be the same on every row of a group.
SELECT crisk._rescore_ledger(amount, issue_date, due_date, paid_date,
                             CASE WHEN invoice = 'A2' THEN date '2024-03-01' ELSE date '2024-02-29' END)
FROM ledger_rows WHERE customer_id = 'A';
-- Infinite dates are refused, as crisk.payment_profile refuses them.
SELECT crisk._rescore_ledger(10, '2024-01-01', 'infinity', NULL, '2024-02-29');
SELECT crisk._rescore_ledger(10, '2024-01-01', '2024-02-01', NULL, 'infinity');
