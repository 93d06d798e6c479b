-- crisk.grant_worker_privileges: a role holding exactly what it grants can
-- run a rescoring pass (the worker's crisk.role), including against an ERP
-- ledger set with crisk.set_ledger; without it, the same pass is refused.

CREATE ROLE rescoring_role LOGIN;
INSERT INTO crisk.account (customer_id, name, credit_limit, payment_terms_days)
VALUES ('W1', 'Paid on time', 10000, 30), ('W2', 'Late payer', 10000, 30);
INSERT INTO crisk.invoice (invoice_id, customer_id, amount, issue_date, due_date, paid_date) VALUES
    ('W1-1', 'W1', 1000.00, '2026-01-05', '2026-02-04', '2026-02-03'),
    ('W1-2', 'W1', 2000.00, '2026-03-05', '2026-04-04', NULL),
    ('W2-1', 'W2', 3000.00, '2026-01-05', '2026-02-04', '2026-04-20'),
    ('W2-2', 'W2', 4000.00, '2026-02-05', '2026-03-07', NULL);

-- Without the grants, the role may not even start a pass.
SET ROLE rescoring_role;
SELECT crisk.rescore(NULL, '2026-04-30');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;

SELECT crisk.grant_worker_privileges('rescoring_role');
SET ROLE rescoring_role;
SELECT crisk.rescore(NULL, '2026-04-30');
SELECT kind, status, customers_scored, errors, run_by FROM crisk.job_run ORDER BY run_id;
SELECT customer_id, open_amount, overdue_amount FROM crisk.score ORDER BY customer_id;
-- What the role must not get: personal data it does not need, and the
-- right to change the models.
RESET ROLE;
SELECT pg_catalog.has_table_privilege('rescoring_role', 'crisk.erasure_log', 'SELECT') AS reads_erasure_log,
       pg_catalog.has_table_privilege('rescoring_role', 'crisk.scorecard', 'UPDATE') AS changes_models,
       pg_catalog.has_table_privilege('rescoring_role', 'crisk.invoice', 'INSERT') AS writes_ledger,
       pg_catalog.has_function_privilege('rescoring_role', 'crisk.forget_customer(text)', 'EXECUTE') AS forgets;

-- An ERP ledger: granting again after crisk.set_ledger covers its source.
CREATE SCHEMA erp_ledger;
CREATE TABLE erp_ledger.open_items AS
    SELECT invoice_id, customer_id, amount, issue_date, due_date, paid_date FROM crisk.invoice;
SELECT crisk.set_ledger('erp_ledger.open_items');
SELECT pg_catalog.has_table_privilege('rescoring_role', 'erp_ledger.open_items', 'SELECT') AS reads_erp_before;
SELECT crisk.grant_worker_privileges('rescoring_role');
GRANT USAGE ON SCHEMA erp_ledger TO rescoring_role;
SET ROLE rescoring_role;
SELECT crisk.rescore(ARRAY['W2'], '2026-04-30');
RESET ROLE;

-- Errors.
SELECT crisk.grant_worker_privileges(NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.grant_worker_privileges('no_such_role');
\echo :LAST_ERROR_SQLSTATE

-- Clean up: back to the built-in ledger, and the role's grants go.
SELECT crisk.set_ledger('crisk.invoice');
DROP SCHEMA erp_ledger CASCADE;
TRUNCATE crisk.job_run CASCADE;
DELETE FROM crisk.account WHERE customer_id IN ('W1', 'W2');
DELETE FROM crisk.invoice WHERE customer_id IN ('W1', 'W2');
DROP OWNED BY rescoring_role;
DROP ROLE rescoring_role;
