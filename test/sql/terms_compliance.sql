-- Payment terms against the French caps (crisk.terms_compliance): 60 days
-- from the invoice date, or 45 days end of month for accounts that agree
-- it (crisk.account.end_of_month_terms: the end of the month of issue
-- date + 45 days), and agreed late-interest rates against the floor of
-- 3 x the legal interest rate (crisk.legal_interest_rate).  Rolled back.
BEGIN;
\set ON_ERROR_ROLLBACK on

INSERT INTO crisk.account (customer_id, name, payment_terms_days, end_of_month_terms, late_interest_rate) VALUES
    ('T1', 'Tango', 60, false, NULL),
    ('T2', 'Tanker', 50, true, NULL),     -- 50 days is over 45 end of month
    ('T3', 'Tiger', 90, false, NULL),     -- 90 days is over 60
    ('T4', 'Token', 30, false, 0.02),     -- below the floor
    ('T5', 'Topaz', 30, false, 0.20);     -- above it
INSERT INTO crisk.invoice (invoice_id, customer_id, amount, issue_date, due_date) VALUES
    ('T1-60',  'T1', 100.00, '2024-01-15', '2024-03-15'),  -- 60 days: within the cap
    ('T1-61',  'T1', 100.00, '2024-01-15', '2024-03-16'),  -- 61 days: over
    ('T1-CN',  'T1', -50.00, '2024-01-15', '2024-09-15'),  -- a credit note: left out
    -- 2024-01-20 + 45 days = 2024-03-05, end of that month 2024-03-31.
    ('T2-EOM', 'T2', 100.00, '2024-01-20', '2024-03-31'),  -- 71 days, within the cap
    ('T2-OUT', 'T2', 100.00, '2024-01-20', '2024-04-01'),  -- one day after it
    -- 2024-01-10 + 45 = 2024-02-24, end of month 2024-02-29: 60 days is over.
    ('T2-60',  'T2', 100.00, '2024-01-10', '2024-03-10'),
    ('T9-150', 'T9', 500.00, '2024-01-01', '2024-05-30');  -- no account: 150 days
SELECT customer_id, name, invoice_id, issue_date, due_date, terms_days, latest_due_date,
       end_of_month_terms, late_interest_rate, problem
FROM crisk.terms_compliance
WHERE problem LIKE 'terms%' ORDER BY customer_id, invoice_id;
SELECT customer_id, terms_days, end_of_month_terms, problem
FROM crisk.terms_compliance WHERE problem = 'account_terms_over_cap' ORDER BY customer_id;
-- The floor is 3 x the legal rate in force today (the latest row dated on
-- or before today): T4's 2 % is below it, T5's 20 % is not.
SELECT t.customer_id, t.late_interest_rate, t.problem,
       t.legal_floor_rate = 3 * (SELECT rate FROM crisk.legal_interest_rate
                                 WHERE valid_from <= current_date ORDER BY valid_from DESC LIMIT 1) AS floor_ok
FROM crisk.terms_compliance t WHERE problem = 'late_interest_below_floor' ORDER BY customer_id;
-- A new half-year's rate is a row of one's own; a legal rate of 10 %
-- puts the floor at 30 %: T5's 20 % falls below it.
INSERT INTO crisk.legal_interest_rate (valid_from, rate) VALUES (current_date, 0.10);
SELECT customer_id, late_interest_rate, legal_floor_rate FROM crisk.terms_compliance
WHERE problem = 'late_interest_below_floor' ORDER BY customer_id;

-- The shipped rates (taux de l'intérêt légal, professionals): the 2024
-- and 2026 ones; read-only.
SELECT valid_from, rate FROM crisk.legal_interest_rate
WHERE shipped AND valid_from >= '2024-01-01' ORDER BY valid_from;
UPDATE crisk.legal_interest_rate SET rate = 0.03 WHERE valid_from = '2026-01-01';
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY terse
INSERT INTO crisk.legal_interest_rate (valid_from, rate) VALUES ('2030-01-01', 1.5);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO crisk.account (customer_id, late_interest_rate) VALUES ('T6', -0.01);
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY default
SELECT c.relname, e.cond
FROM pg_catalog.pg_extension x, unnest(x.extconfig, x.extcondition) AS e(relid, cond)
JOIN pg_catalog.pg_class c ON c.oid = e.relid
WHERE x.extname = 'crisk' AND c.relname = 'legal_interest_rate';

ROLLBACK;
