-- Amounts crisk's exact totals cannot hold.  Totals count units of the
-- finest decimal place in use (a multiple of 4 places), and each amount
-- must fit a signed 128-bit count of such units (2^127 is about 1.7e38).
-- crisk.invoice therefore accepts at most 8 decimal places and absolute
-- values below 10^30 (10^30 * 10^8 = 10^38 < 2^127): any mix of such
-- amounts totals exactly.  Where crisk does not own the ledger (an ERP
-- source named with crisk.set_ledger), a pass isolates the customer whose
-- amounts overflow, records it in crisk.job_error, and scores the others.
-- Each failing statement is followed by its SQLSTATE.

-- At the door: too large, too finely divided, not a number.
INSERT INTO crisk.invoice VALUES ('X-1', 'X', 1e30, '2026-01-01', '2026-01-31', NULL);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO crisk.invoice VALUES ('X-2', 'X', -1e30, '2026-01-01', '2026-01-31', NULL);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO crisk.invoice VALUES ('X-3', 'X', 0.000000001, '2026-01-01', '2026-01-31', NULL);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO crisk.invoice VALUES ('X-4', 'X', 'NaN', '2026-01-01', '2026-01-31', NULL);
\echo :LAST_ERROR_SQLSTATE
-- The largest amounts it takes, both signs, with the finest amount it
-- takes; trailing zeros do not count as decimal places.
INSERT INTO crisk.invoice VALUES
    ('X-5', 'X', 999999999999999999999999999999.99999999, '2026-01-01', '2026-01-31', NULL),
    ('X-6', 'X', -999999999999999999999999999999.99999999, '2026-01-01', '2026-01-31', NULL),
    ('X-7', 'X', 0.00000001, '2026-01-01', '2026-01-31', NULL),
    ('X-8', 'X', 1.10000000000000000000, '2026-01-01', '2026-01-31', NULL);
-- They total exactly: 10^30 - 10^-8, its opposite, 10^-8 and 1.1 give
-- 1.10000001, all 15 days past due (shown with the 20 decimals 1.1 was
-- given with).
SELECT crisk.aging(amount, due_date, '2026-02-15') AS aging,
       sum(amount) AS plain_sum,
       (crisk.payment_profile(amount, issue_date, due_date, paid_date, '2026-02-15')).open_amount
FROM crisk.invoice WHERE customer_id = 'X';
SELECT crisk.concentration(amount) > 9999 AS one_exposure_dominates
FROM crisk.invoice WHERE customer_id = 'X';
DELETE FROM crisk.invoice WHERE customer_id = 'X';
-- The check alone: true, NULL for NULL, and the same errors.
SELECT crisk.require_exact_amount(12.34) AS ok, crisk.require_exact_amount(NULL) IS NULL AS null_is_null;
SELECT crisk.require_exact_amount(-1e31);
\echo :LAST_ERROR_SQLSTATE

-- An ERP ledger crisk does not own: six customers with an account, each
-- with one invoice of 100.25, paid on time; E3 also has an amount of
-- 10^40 and E5 one with 37 decimals, which no exact total holds.  All of
-- it runs in a transaction rolled back at the end, so that the accounts'
-- limit changes, the scores and their history do not reach the tests that
-- follow.
BEGIN;
CREATE SCHEMA erp_overflow;
CREATE TABLE erp_overflow.ledger (invoice_id text, customer_id text, amount numeric,
                                  issue_date date, due_date date, paid_date date);
INSERT INTO erp_overflow.ledger
SELECT 'E' || k || '-1', 'E' || k, 100.25, '2026-01-05', '2026-02-04', '2026-02-04'
FROM generate_series(1, 6) AS k;
INSERT INTO erp_overflow.ledger VALUES
    ('E3-2', 'E3', 1e40, '2026-01-05', '2026-02-04', NULL),
    ('E5-2', 'E5', 1.0000000000000000000000000000000000001, '2026-01-05', '2026-02-04', NULL);
INSERT INTO crisk.account (customer_id, credit_limit, payment_terms_days)
SELECT 'E' || k, 5000, 30 FROM generate_series(1, 6) AS k;
SELECT crisk.set_ledger('erp_overflow.ledger');
TRUNCATE crisk.job_run CASCADE;

-- A pass over every customer scores the four others and records the two.
SET LOCAL crisk.batch_size = 4;
SELECT crisk.rescore(NULL, '2026-04-30') AS scored;
SELECT kind, status, customers_total, customers_scored, errors, message
FROM crisk.job_run ORDER BY run_id;
SELECT customer_id, sqlstate, message FROM crisk.job_error ORDER BY customer_id;
SELECT customer_id, open_amount FROM crisk.score WHERE customer_id LIKE 'E%' ORDER BY 1;
-- A pass over a list does the same.
SELECT crisk.rescore(ARRAY['E2', 'E3', 'E4'], '2026-04-30') AS scored;
SELECT customer_id, sqlstate FROM crisk.job_error
WHERE run_id = (SELECT max(run_id) FROM crisk.job_run);
ROLLBACK;
