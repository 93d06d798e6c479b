-- A pass over many batches whose list of customers spilled to disk: with
-- work_mem at its minimum (64kB) the 600 customers' figures (about 200
-- bytes each) do not fit in memory, and crisk.batch_size = 100 makes six
-- batches.  Every customer must be scored, each batch from its own
-- customers' figures, the second pass (rows updated in place) as the first.
-- The customers come in three payment habits, 200 each, so the pass must
-- give exactly three scores, 200 customers each.

SET work_mem = '64kB';
SET crisk.batch_size = 100;
INSERT INTO crisk.account (customer_id, name, credit_limit, payment_terms_days)
SELECT 'B' || lpad(k::text, 4, '0'), 'Customer ' || k, 5000, 30
FROM generate_series(1, 600) AS k;
-- k % 3 = 0 paid on the due date, 1 paid 30 days late, 2 still open (85
-- days past due at 2026-04-30).
INSERT INTO crisk.invoice (invoice_id, customer_id, amount, issue_date, due_date, paid_date)
SELECT 'B' || lpad(k::text, 4, '0') || '-1', 'B' || lpad(k::text, 4, '0'), 1000.00,
       date '2026-01-05', date '2026-02-04',
       CASE k % 3 WHEN 0 THEN date '2026-02-04' WHEN 1 THEN date '2026-03-06' END
FROM generate_series(1, 600) AS k;

SELECT crisk.rescore(NULL, '2026-04-30');
SELECT kind, status, customers_total, customers_scored, errors, batches
FROM crisk.job_run ORDER BY run_id;
SELECT overdue_amount, count(*) AS customers, count(DISTINCT score) AS scores
FROM crisk.score GROUP BY 1 ORDER BY 1;
SELECT count(*) AS customer_errors FROM crisk.job_error;

SELECT crisk.rescore(NULL, '2026-04-30');
SELECT kind, status, customers_total, customers_scored, errors, batches
FROM crisk.job_run ORDER BY run_id;
SELECT count(DISTINCT score) AS scores, count(*) AS customers FROM crisk.score;

-- Clean up.
RESET work_mem;
RESET crisk.batch_size;
TRUNCATE crisk.job_run CASCADE;
DELETE FROM crisk.account WHERE customer_id LIKE 'B%';
DELETE FROM crisk.invoice WHERE customer_id LIKE 'B%';
TRUNCATE crisk.rescore_queue;
