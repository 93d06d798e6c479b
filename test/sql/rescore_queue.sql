-- The rescoring queue: crisk.track_changes on an ERP's own table,
-- crisk.request_rescore, and the errors of both.  Only customer ids are
-- shown: the time and transaction of each queue row vary from run to run.

CREATE SCHEMA erp;
CREATE TABLE erp.sales_invoice (
    invoice_no  integer PRIMARY KEY,
    customer_no text,
    amount      numeric NOT NULL
);
CREATE TABLE erp.customer_ref (customer_no integer PRIMARY KEY, name text);
CREATE VIEW erp.open_items AS SELECT * FROM erp.sales_invoice;

SELECT crisk.track_changes('erp.sales_invoice', 'customer_no');
-- crisk's own tables are tracked from the start; the ERP table joins them.
SELECT relation, customer_column FROM crisk.tracked_table ORDER BY 1;

-- One statement inserting four invoices of two customers queues each
-- customer once; a customer NULL (unknown) queues nobody.
INSERT INTO erp.sales_invoice VALUES (1, 'C1', 100), (2, 'C1', 200), (3, 'C2', 50), (4, NULL, 10);
SELECT customer_id, count(*) FROM crisk.rescore_queue GROUP BY 1 ORDER BY 1;

-- A later transaction queues C1 again (a pass may have read the first
-- row already); within one transaction, C1 is queued once.
BEGIN;
UPDATE erp.sales_invoice SET amount = amount + 1 WHERE customer_no = 'C1';
UPDATE erp.sales_invoice SET amount = amount + 1 WHERE customer_no = 'C1';
COMMIT;
SELECT customer_id, count(*) FROM crisk.rescore_queue GROUP BY 1 ORDER BY 1;

-- Moving an invoice to another customer queues both; deleting one queues
-- its customer.
TRUNCATE crisk.rescore_queue;
UPDATE erp.sales_invoice SET customer_no = 'C3' WHERE invoice_no = 3;
DELETE FROM erp.sales_invoice WHERE invoice_no = 4;
SELECT customer_id FROM crisk.rescore_queue ORDER BY 1;

-- A rolled-back subtransaction takes its queue row with it; the customer
-- is queued again by the next change in the same transaction.
TRUNCATE crisk.rescore_queue;
BEGIN;
SAVEPOINT s;
UPDATE erp.sales_invoice SET amount = 0 WHERE invoice_no = 1;
ROLLBACK TO SAVEPOINT s;
UPDATE erp.sales_invoice SET amount = 1 WHERE invoice_no = 2;
COMMIT;
SELECT customer_id FROM crisk.rescore_queue ORDER BY 1;

-- TRUNCATE cannot say who changed: it queues everyone (NULL).
TRUNCATE crisk.rescore_queue;
TRUNCATE erp.sales_invoice;
SELECT customer_id IS NULL AS everyone FROM crisk.rescore_queue;

-- A non-text customer column is queued in its text form.
SELECT crisk.track_changes('erp.customer_ref', 'customer_no');
TRUNCATE crisk.rescore_queue;
INSERT INTO erp.customer_ref VALUES (42, 'Acme');
SELECT customer_id FROM crisk.rescore_queue;

-- The ERP's roles need no privilege on crisk's tables.
CREATE ROLE erp_clerk;
GRANT USAGE ON SCHEMA erp TO erp_clerk;
GRANT INSERT ON erp.sales_invoice TO erp_clerk;
TRUNCATE crisk.rescore_queue;
SET ROLE erp_clerk;
INSERT INTO erp.sales_invoice VALUES (10, 'C9', 1);
SELECT count(*) FROM crisk.rescore_queue;
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SELECT customer_id FROM crisk.rescore_queue;

-- crisk.request_rescore queues customers by hand (NULL: everyone).
TRUNCATE crisk.rescore_queue;
SELECT crisk.request_rescore(ARRAY['C7', 'C8', 'C7']);
SELECT crisk.request_rescore();
SELECT customer_id FROM crisk.rescore_queue ORDER BY 1 NULLS FIRST;

-- Calling track_changes again (another column) replaces the triggers;
-- untrack_changes removes them and says whether there were any.
SELECT crisk.track_changes('erp.customer_ref', 'name');
SELECT relation, customer_column FROM crisk.tracked_table ORDER BY 1;
SELECT crisk.untrack_changes('erp.customer_ref');
SELECT crisk.untrack_changes('erp.customer_ref');
SELECT relation, customer_column FROM crisk.tracked_table ORDER BY 1;

-- Errors.
SELECT crisk.track_changes(NULL, 'customer_no');
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.track_changes('erp.sales_invoice', NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.track_changes('erp.open_items', 'customer_no');
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.track_changes('erp.sales_invoice', 'customer_id');
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.untrack_changes(NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.request_rescore(ARRAY['C1', NULL]);
\echo :LAST_ERROR_SQLSTATE
-- A trigger of the user's own with crisk's name is never replaced.
CREATE FUNCTION erp.noop() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
CREATE TRIGGER crisk_track_changes BEFORE INSERT ON erp.customer_ref
    FOR EACH ROW EXECUTE FUNCTION erp.noop();
SELECT crisk.track_changes('erp.customer_ref', 'customer_no');
\echo :LAST_ERROR_SQLSTATE
-- The trigger function is for triggers only.
SELECT crisk.track_changes_trigger();
\echo :LAST_ERROR_SQLSTATE
-- A renamed customer column is reported when a row is written.
ALTER TABLE erp.sales_invoice RENAME COLUMN customer_no TO client_no;
INSERT INTO erp.sales_invoice VALUES (11, 'C1', 1);
\echo :LAST_ERROR_SQLSTATE

-- Dropping the ERP table drops crisk's triggers with it.
DROP SCHEMA erp CASCADE;
SELECT count(*) FROM crisk.tracked_table WHERE relation::text NOT LIKE 'crisk.%';
DROP ROLE erp_clerk;
