-- A batch is written by ONE statement (src/rescore_batch.c): the score
-- rows, their history, the recalibrated limits and the alerts of a batch
-- all carry the command id of that one statement (the cmin of the row
-- versions it wrote), whatever the number of customers in the batch.  A
-- writer running one statement after another (limits, then scores, then
-- history, then alerts) gives each its own command id.
--
-- Twelve customers, each with an invoice 120 days past due at 2026-04-30
-- (an overdue_90 alert each), first scored (a new score row and a history
-- row each) with a limit of 100000 that the pass recalibrates.  Everything
-- is rolled back at the end.
BEGIN;
INSERT INTO crisk.account (customer_id, name, credit_limit, payment_terms_days)
SELECT 'W' || lpad(k::text, 2, '0'), 'Customer ' || k, 100000, 30
FROM generate_series(1, 12) AS k;
INSERT INTO crisk.invoice (invoice_id, customer_id, amount, issue_date, due_date, paid_date)
SELECT 'W' || lpad(k::text, 2, '0') || '-' || i, 'W' || lpad(k::text, 2, '0'), 1000.00,
       date '2025-12-01' + i, date '2025-12-31' + i,
       CASE WHEN i > 1 THEN date '2025-12-31' + i END
FROM generate_series(1, 12) AS k, generate_series(1, 3) AS i;

CREATE TEMP VIEW written_by_run AS
SELECT j.run_id, w.what, w.cmin::text::int AS command_id
FROM crisk.job_run AS j
CROSS JOIN LATERAL (
    SELECT 'score' AS what, s.cmin FROM crisk.score AS s
    WHERE s.run_id = j.run_id AND s.customer_id LIKE 'W%'
    UNION ALL
    SELECT 'history', h.cmin FROM crisk.score_history AS h
    WHERE h.run_id = j.run_id AND h.customer_id LIKE 'W%'
    UNION ALL
    SELECT 'limit', a.cmin FROM crisk.account AS a
    WHERE a.limit_run_id = j.run_id AND a.customer_id LIKE 'W%'
    UNION ALL
    SELECT 'alert', x.cmin FROM crisk.alert AS x
    WHERE x.run_id = j.run_id AND x.customer_id LIKE 'W%') AS w;

-- One batch of twelve: rows of every kind, one command.
SET LOCAL crisk.batch_size = 100;
SELECT crisk.rescore(ARRAY(SELECT customer_id FROM crisk.account WHERE customer_id LIKE 'W%'), '2026-04-30');
SELECT what, count(*) AS rows FROM written_by_run
WHERE run_id = (SELECT max(run_id) FROM crisk.job_run) GROUP BY what ORDER BY what;
SELECT j.batches, count(DISTINCT w.command_id) AS write_commands
FROM written_by_run AS w JOIN crisk.job_run AS j USING (run_id)
WHERE run_id = (SELECT max(run_id) FROM crisk.job_run) GROUP BY j.batches;

-- The next day in batches of five (three batches): one command per batch.
SET LOCAL crisk.batch_size = 5;
SELECT crisk.rescore(ARRAY(SELECT customer_id FROM crisk.account WHERE customer_id LIKE 'W%'), '2026-05-01');
SELECT j.batches, count(DISTINCT w.command_id) AS write_commands, count(*) AS rows
FROM written_by_run AS w JOIN crisk.job_run AS j USING (run_id)
WHERE run_id = (SELECT max(run_id) FROM crisk.job_run) GROUP BY j.batches;

-- A role that may not read crisk.model_fit (given its privileges before
-- an upgrade brought the table) keeps writing scores, without a
-- probability of default, and is told why.
CREATE ROLE regress_write_worker;
SELECT crisk.grant_worker_privileges('regress_write_worker');
REVOKE SELECT ON crisk.model_fit FROM regress_write_worker;
SET LOCAL ROLE regress_write_worker;
SELECT crisk.rescore(ARRAY['W01', 'W02'], '2026-05-02');
RESET ROLE;
SELECT customer_id, as_of, pd IS NULL AS no_pd FROM crisk.score
WHERE customer_id IN ('W01', 'W02') ORDER BY customer_id;

ROLLBACK;
