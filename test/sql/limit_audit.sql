-- Only a rescoring pass writes a run id into the limit audit: a role with
-- UPDATE on crisk.account cannot pass a change by hand off as a run's
-- (crisk.account.limit_run_id and crisk.limit_change.run_id).  Each error
-- is followed by its SQLSTATE; everything is rolled back at the end.
BEGIN;
\set ON_ERROR_ROLLBACK on

CREATE ROLE regress_crisk_erp_loader;
GRANT USAGE ON SCHEMA crisk TO regress_crisk_erp_loader;
GRANT SELECT, INSERT, UPDATE, DELETE ON crisk.account TO regress_crisk_erp_loader;

-- A customer with a year of sales, paid on time, and a limit of 1.00 that
-- recalibration changes.
INSERT INTO crisk.account (customer_id, name, credit_limit, payment_terms_days)
VALUES ('LA1', 'Audit SA', 1.00, 30);
INSERT INTO crisk.invoice (invoice_id, customer_id, amount, issue_date, due_date, paid_date)
SELECT 'LA1-' || m, 'LA1', 1000.00, date '2025-05-01' + (m * 30), date '2025-05-31' + (m * 30),
       date '2025-05-31' + (m * 30)
FROM generate_series(0, 10) AS m;

-- A real pass recalibrates the limit: the change carries its run id.
SELECT crisk.rescore(ARRAY['LA1'], '2026-04-30');
SELECT c.run_id = (SELECT max(r.run_id) FROM crisk.job_run r) AS by_the_pass,
       c.old_limit, c.new_limit <> c.old_limit AS recalibrated,
       c.reason LIKE 'recalibrated by rescoring run ' || c.run_id || ':%' AS reason_names_run
FROM crisk.limit_change c WHERE c.customer_id = 'LA1' AND c.run_id IS NOT NULL;
SELECT limit_run_id = (SELECT max(r.run_id) FROM crisk.job_run r) AS account_names_run
FROM crisk.account WHERE customer_id = 'LA1';

-- The forgery: an ERP role that may update accounts writes a change as the
-- pass would, naming that very run (terse: the run's number depends on
-- the tests before).  Refused, by the run's id ...
SELECT max(run_id) AS last_run FROM crisk.job_run \gset
SET ROLE regress_crisk_erp_loader;
\set VERBOSITY terse
UPDATE crisk.account
   SET credit_limit = 999999, limit_run_id = :last_run,
       limit_reason = 'recalibrated by rescoring run: score 99 (class A)'
 WHERE customer_id = 'LA1';
\set VERBOSITY default
\echo :LAST_ERROR_SQLSTATE
-- ... and by any other ...
UPDATE crisk.account SET credit_limit = 999999, limit_run_id = 1 WHERE customer_id = 'LA1';
\echo :LAST_ERROR_SQLSTATE
-- ... in a new account too ...
INSERT INTO crisk.account (customer_id, credit_limit, limit_run_id, limit_reason)
VALUES ('LA2', 50000, 1, 'recalibrated by rescoring run 1');
\echo :LAST_ERROR_SQLSTATE
-- ... and, the stamp being the trigger's, not with a stamp of its own.
INSERT INTO crisk.account (customer_id, credit_limit, limit_run_id, limit_changed_at, limit_changed_by)
VALUES ('LA2', 50000, 1, '2026-01-01', 'crisk_worker');
\echo :LAST_ERROR_SQLSTATE
-- A change by hand shows as one, whatever reason it gives: no run id,
-- under the login that made it.
UPDATE crisk.account SET credit_limit = 999999,
       limit_reason = 'recalibrated by rescoring run 1: score 99 (class A)'
 WHERE customer_id = 'LA1';
RESET ROLE;
SELECT new_limit, run_id, changed_by = session_user AS by_my_login, reason
FROM crisk.limit_change WHERE customer_id = 'LA1' ORDER BY change_id DESC LIMIT 1;
SELECT credit_limit, limit_run_id, limit_changed_by = session_user AS by_my_login FROM crisk.account WHERE customer_id = 'LA1';
-- Nobody else may write the audit trail either: its rows come from the
-- account's triggers.
SET ROLE regress_crisk_erp_loader;
INSERT INTO crisk.limit_change (customer_id, changed_at, new_limit, new_locked, changed_by, run_id)
VALUES ('LA1', now(), 1, false, 'crisk_worker', 1);
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
-- The pass's right ends with its statement: the next pass writes again.
UPDATE crisk.account SET credit_limit = 1.00, limit_reason = 'back to 1 for the test' WHERE customer_id = 'LA1';
SELECT crisk.rescore(ARRAY['LA1'], '2026-04-30');
SELECT count(*) AS changes_by_runs, count(DISTINCT run_id) AS runs
FROM crisk.limit_change WHERE customer_id = 'LA1' AND run_id IS NOT NULL;

-- A row without a customer: the stamping trigger runs before NOT NULL is
-- checked, and refuses the run id without reading the missing customer
-- (this crashed the server once).
INSERT INTO crisk.account (customer_id, limit_locked, limit_run_id) VALUES (NULL, true, 0);

ROLLBACK;
