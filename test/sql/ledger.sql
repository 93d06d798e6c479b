-- The ledger: crisk.invoice, crisk.set_ledger() and the view crisk.ledger
-- every reader uses.  Everything runs in one transaction that is rolled
-- back at the end, so that other tests see an empty store; each error is
-- followed by its SQLSTATE.
BEGIN;
\set ON_ERROR_ROLLBACK on

-- By default crisk reads its own table, and no source is recorded.
SELECT count(*) AS recorded_sources FROM crisk.ledger_source;
INSERT INTO crisk.invoice (invoice_id, customer_id, amount, issue_date, due_date, paid_date) VALUES
    ('F-001', 'C1', 1200.00, '2024-01-10', '2024-02-09', '2024-02-20'),
    ('F-002', 'C1', 800.50, '2024-02-15', '2024-03-16', NULL),
    ('F-003', 'C1', -150.25, '2024-02-20', '2024-02-20', NULL),
    ('F-004', 'C2', 5000.00, '2024-03-01', '2024-04-30', NULL),
    ('F-005', 'C2', 99.99, '2024-03-05', '2024-04-04', '2024-03-30');
SELECT * FROM crisk.ledger ORDER BY invoice_id;

-- The table's checks.
INSERT INTO crisk.invoice VALUES ('', 'C1', 1, '2024-01-01', '2024-01-31', NULL);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO crisk.invoice VALUES ('F-X', '', 1, '2024-01-01', '2024-01-31', NULL);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO crisk.invoice VALUES ('F-X', NULL, 1, '2024-01-01', '2024-01-31', NULL);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO crisk.invoice VALUES ('F-X', 'C1', 'NaN', '2024-01-01', '2024-01-31', NULL);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO crisk.invoice VALUES ('F-X', 'C1', 'Infinity', '2024-01-01', '2024-01-31', NULL);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO crisk.invoice VALUES ('F-X', 'C1', '-Infinity', '2024-01-01', '2024-01-31', NULL);
\echo :LAST_ERROR_SQLSTATE
-- Due before issued.
INSERT INTO crisk.invoice VALUES ('F-X', 'C1', 1, '2024-01-31', '2024-01-30', NULL);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO crisk.invoice VALUES ('F-X', 'C1', 1, '2024-01-01', 'infinity', NULL);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO crisk.invoice VALUES ('F-X', 'C1', 1, '2024-01-01', '2024-01-31', 'infinity');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO crisk.invoice VALUES ('F-001', 'C1', 1, '2024-01-01', '2024-01-31', NULL);
\echo :LAST_ERROR_SQLSTATE
-- Paid before issued is allowed (cash in advance); due on the day of issue too.
INSERT INTO crisk.invoice VALUES ('F-006', 'C3', 10, '2024-05-10', '2024-05-10', '2024-05-01');
SELECT invoice_id, paid_date - issue_date AS days_paid_after_issue
FROM crisk.ledger WHERE invoice_id = 'F-006';
DELETE FROM crisk.invoice WHERE invoice_id = 'F-006';

-- An "ERP" keeps its invoices under its own names and types: ids as
-- varchar, amounts as numeric(12,2), the due date as a timestamp, and the
-- customer code in another table.  A view maps them to crisk's names.
CREATE SCHEMA erp;
CREATE TABLE erp.client (client_no integer PRIMARY KEY, code varchar(12) NOT NULL UNIQUE);
CREATE TABLE erp.facture (
    num_facture    varchar(20) PRIMARY KEY,
    client_no      integer NOT NULL REFERENCES erp.client,
    montant_ttc    numeric(12,2) NOT NULL,
    date_facture   date NOT NULL,
    date_echeance  timestamp NOT NULL,
    date_reglement date);
CREATE INDEX facture_client_idx ON erp.facture (client_no, date_reglement);
INSERT INTO erp.client VALUES (1, 'C1'), (2, 'C2');
INSERT INTO erp.facture
SELECT i.invoice_id, c.client_no, i.amount, i.issue_date, i.due_date, i.paid_date
FROM crisk.invoice i JOIN erp.client c ON c.code = i.customer_id;
CREATE VIEW erp.crisk_ledger AS
    SELECT f.num_facture AS invoice_id, c.code AS customer_id, f.montant_ttc AS amount,
           f.date_facture AS issue_date, f.date_echeance AS due_date, f.date_reglement AS paid_date
    FROM erp.facture f JOIN erp.client c USING (client_no);

-- What readers see through crisk.ledger, built in: every invoice, and per
-- customer the open items at 2024-04-15 (paid_date NULL or later):
--   C1: F-002 800.50 + F-003 -150.25 = 650.25, 2 items, both overdue
--       (due 2024-03-16, 30 days; 2024-02-20, 55 days).
--   C2: F-004 5000.00 not yet due (2024-04-30); F-005 was paid 2024-03-30.
CREATE TEMP TABLE seen_builtin AS SELECT * FROM crisk.ledger;
-- And the order checks of both customers (decided today, so compared
-- rather than printed: the days past due grow every day).
INSERT INTO crisk.account (customer_id, credit_limit) VALUES ('C1', 2000), ('C2', 10000);
CREATE TEMP VIEW checks AS
    SELECT c.customer_id, d.decision, d.available_credit, d.reasons
    FROM unnest('{C1,C2}'::text[]) AS c(customer_id), crisk.check_order(c.customer_id, 500) AS d;
CREATE TEMP TABLE checks_builtin AS SELECT * FROM checks;
CREATE TEMP VIEW open_items AS
    SELECT customer_id, count(*) AS open_items, sum(amount) AS open_amount,
           max('2024-04-15'::date - due_date) FILTER (WHERE due_date < '2024-04-15') AS oldest_days_past_due
    FROM crisk.ledger
    WHERE paid_date IS NULL OR paid_date > '2024-04-15'
    GROUP BY customer_id;
SELECT * FROM open_items ORDER BY customer_id;

-- Point crisk at the ERP's view.
SELECT crisk.set_ledger('erp.crisk_ledger');
SELECT source FROM crisk.ledger_source;
-- The same rows, column for column, in both directions ...
SELECT count(*) AS only_builtin FROM (TABLE seen_builtin EXCEPT ALL SELECT * FROM crisk.ledger) AS d;
SELECT count(*) AS only_erp FROM (SELECT * FROM crisk.ledger EXCEPT ALL TABLE seen_builtin) AS d;
SELECT * FROM crisk.ledger ORDER BY invoice_id;
-- ... the same figures ...
SELECT * FROM open_items ORDER BY customer_id;
-- ... the same order checks: both are blocked, their oldest open invoices
-- being long past the litigation level (60 days), with C1 2000.00 -
-- 650.25 = 1349.75 and C2 10000.00 - 5000.00 = 5000.00 available ...
SELECT customer_id, decision, available_credit FROM checks ORDER BY customer_id;
SELECT count(*) AS checks_differing
FROM ((TABLE checks_builtin EXCEPT ALL TABLE checks) UNION ALL (TABLE checks EXCEPT ALL TABLE checks_builtin)) AS d;
-- ... and the columns keep crisk's types whatever the ERP's were.
SELECT attname, format_type(atttypid, atttypmod)
FROM pg_attribute WHERE attrelid = 'crisk.ledger'::regclass AND attnum > 0 ORDER BY attnum;
-- A lookup by customer reaches the ERP's own tables and indexes, as a view
-- over them would (crisk.ledger_rows() is inlined).
SET LOCAL enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT sum(amount) FROM crisk.ledger WHERE customer_id = 'C1' AND paid_date IS NULL;
RESET enable_seqscan;
-- New ERP invoices are seen at once: nothing is copied.
INSERT INTO erp.facture VALUES ('F-007', 2, 250.00, '2024-04-01', '2024-05-01', NULL);
SELECT * FROM open_items ORDER BY customer_id;

-- Sources that cannot serve.  Every problem is listed at once.
CREATE TABLE erp.bad_ledger (invoice_id text, amount double precision, issue_date timestamptz,
                             due_date date, paid_date money);
SELECT crisk.set_ledger('erp.bad_ledger');
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.ledger_problems('erp.bad_ledger');
CREATE TABLE erp.no_columns ();
SELECT crisk.set_ledger('erp.no_columns');
\echo :LAST_ERROR_SQLSTATE
CREATE SEQUENCE erp.seq;
SELECT crisk.set_ledger('erp.seq');
\echo :LAST_ERROR_SQLSTATE
CREATE TEMP TABLE temp_ledger AS SELECT * FROM crisk.invoice;
SELECT crisk.set_ledger('temp_ledger');
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.set_ledger('crisk.ledger');
\echo :LAST_ERROR_SQLSTATE
-- Nor may a view that reads crisk.ledger, even through another view.
CREATE VIEW erp.loop1 AS SELECT * FROM crisk.ledger;
CREATE VIEW erp.loop2 AS SELECT * FROM erp.loop1;
SELECT crisk.set_ledger('erp.loop2');
\echo :LAST_ERROR_SQLSTATE
CREATE VIEW erp.loop3 AS SELECT * FROM crisk.ledger_rows();
SELECT crisk.set_ledger('erp.loop3');
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.set_ledger(NULL);
\echo :LAST_ERROR_SQLSTATE
-- The failed calls left the ERP source in place.
SELECT source FROM crisk.ledger_source;
-- Compatible types beyond crisk's own: integer ids, char codes (trailing
-- blanks go), integer amounts (whole currency units), timestamps without
-- time zone (the time of day goes), and domains over any of them.
CREATE DOMAIN erp.euros AS numeric(14,2) CHECK (VALUE > -1e12);
CREATE TABLE erp.other_ledger (invoice_id bigint, customer_id char(6), amount erp.euros,
                               issue_date timestamp, due_date date, paid_date timestamp,
                               extra_column text);
SELECT crisk.ledger_problems('erp.other_ledger');
INSERT INTO erp.other_ledger VALUES (7, 'C9', 10.5, '2024-01-01 10:00', '2024-01-31', '2024-02-03 16:30', 'x');
SELECT crisk.set_ledger('erp.other_ledger');
SELECT * FROM crisk.ledger;

-- The ERP owns its tables: dropping them with CASCADE drops crisk's pin of
-- the source (crisk.ledger_source_rows(), not a member of the extension),
-- never crisk; readers then fail until the ledger is set again
-- (test/sql/ledger_trust.sql has the rest of the dependency's story).
SELECT crisk.set_ledger('erp.crisk_ledger');
DROP SCHEMA erp CASCADE;
SELECT extname FROM pg_extension WHERE extname = 'crisk';
SELECT count(*) FROM crisk.ledger;
\echo :LAST_ERROR_SQLSTATE
-- Back to the built-in ledger.
SELECT crisk.set_ledger('crisk.invoice');
SELECT count(*) AS recorded_sources FROM crisk.ledger_source;
SELECT count(*) AS only_builtin FROM (TABLE seen_builtin EXCEPT ALL SELECT * FROM crisk.ledger) AS d;
SELECT count(*) AS only_now FROM (SELECT * FROM crisk.ledger EXCEPT ALL TABLE seen_builtin) AS d;
-- A source recorded directly (as a restore does) that does not exist.
INSERT INTO crisk.ledger_source (source) VALUES ('crisk.gone');
\echo :LAST_ERROR_SQLSTATE

ROLLBACK;
