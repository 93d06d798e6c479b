-- Allocations: partial payments and credit notes applied to invoices, the
-- open amount they leave on any date, the aged balance built on it, and an
-- ERP's own reconciliation data named with crisk.set_allocations().
-- Figures are worked out by hand in the comments (2024 is a leap year).
-- Each failing statement is followed by its SQLSTATE; everything is rolled
-- back at the end.
BEGIN;
\set ON_ERROR_ROLLBACK on

-- P: P-1 (1 000.00, due 2024-01-31) paid in three parts, 300 on 02-10,
--    200 on 03-05 and 500 on 04-20, its paid_date never set (as an ERP
--    that only reconciles leaves it); P-3 (400.00, due 03-15) settled by
--    100 of the credit note P-CN on 03-20 and 300 by transfer on 04-01;
--    P-CN (-150.00, issued 02-01) is left with -50 after 03-20.
-- Q: Q-1 (500.00, due 03-01) with a paid_date (03-10) and no allocation,
--    as in 0.1.0.
-- R: R-1 (100.00, due 03-01) over-applied by 120 on 03-02; R-2 (200.00,
--    due 03-01) paid on 03-02, the payment bounced (reversed) on 03-04.
-- S: S-1 (600.00, due 02-15) paid 100 on 02-20 and the rest on 03-01,
--    when the ERP set its paid_date without recording that payment.
INSERT INTO crisk.invoice (invoice_id, customer_id, amount, issue_date, due_date, paid_date) VALUES
    ('P-1',  'P', 1000.00, '2024-01-01', '2024-01-31', NULL),
    ('P-3',  'P',  400.00, '2024-02-14', '2024-03-15', NULL),
    ('P-CN', 'P', -150.00, '2024-02-01', '2024-02-01', NULL),
    ('Q-1',  'Q',  500.00, '2024-02-01', '2024-03-01', '2024-03-10'),
    ('R-1',  'R',  100.00, '2024-02-01', '2024-03-01', NULL),
    ('R-2',  'R',  200.00, '2024-02-01', '2024-03-01', NULL),
    ('S-1',  'S',  600.00, '2024-01-16', '2024-02-15', '2024-03-01');
INSERT INTO crisk.allocation (invoice_id, amount, applied_on, source_id) VALUES
    ('P-1', 300.00, '2024-02-10', 'BANK-1'),
    ('P-1', 200.00, '2024-03-05', 'BANK-2'),
    ('P-1', 500.00, '2024-04-20', 'BANK-3'),
    ('P-3', 100.00, '2024-03-20', 'P-CN'),
    ('P-3', 300.00, '2024-04-01', 'BANK-4'),
    ('R-1', 120.00, '2024-03-02', 'BANK-5'),
    ('R-2', 200.00, '2024-03-02', 'BANK-6'),
    ('R-2', -200.00, '2024-03-04', 'BANK-6'),
    ('S-1', 100.00, '2024-02-20', 'BANK-7');

-- Open amounts item by item.
-- 02-05: P-1 1000, P-CN -150 (P-3 not issued yet); Q-1, R-1, R-2 500, 100,
--        200; S-1 600.
-- 02-20: P-1 700; P-3 400; P-CN -150; S-1 500 (the 100 of 02-20 counts).
-- 03-01: S-1 settled by its paid_date; R-1, R-2 still whole.
-- 03-03: R-1 over-applied (100 - 120): settled, not a credit; R-2 paid.
-- 03-05: P-1 500 (the 200 of 03-05 counts); Q-1 500 (paid 03-10); R-2 200
--        again (the reversal).
-- 03-20: P-3 300, P-CN -50; Q-1 settled.
-- 04-01: P-3 settled.  04-20: P-1 settled; P-CN -50 stays.
SELECT d AS as_of, o.invoice_id, o.amount, o.open_amount
FROM unnest(ARRAY[date '2024-02-05', '2024-02-20', '2024-03-01', '2024-03-03', '2024-03-05',
                  '2024-03-20', '2024-04-01', '2024-04-20']) AS d,
     LATERAL crisk.open_items_at(d) AS o
ORDER BY d, o.invoice_id;

-- The aged balance of P between the payments.
-- 02-05: P-1 1000 at 5 days (1-30); P-CN -150 unapplied.  total 850.
-- 02-10: P-1 700 at 10 days (1-30).  total 550.
-- 03-05: P-1 500 at 34 days (31-60); P-3 400 current.  total 750.
-- 03-20: P-1 500 at 49 days (31-60); P-3 300 at 5 days (1-30); P-CN -50.
--        total 750.
-- 04-01: P-1 500 at 61 days (61-90); P-3 settled; P-CN -50.  total 450.
-- 04-20: only P-CN -50: every bucket 0, total -50, no invoice open so no
--        oldest due date.
SELECT d AS as_of, b.*
FROM unnest(ARRAY[date '2024-02-05', '2024-02-10', '2024-03-05', '2024-03-20', '2024-04-01',
                  '2024-04-20']) AS d,
     LATERAL crisk.aged_balance_at(d) AS b
WHERE b.customer_id = 'P'
ORDER BY d;

-- R at 03-03: nothing open (R-1 over-applied, R-2 paid): no row.  At
-- 03-05: R-2 200 at 4 days (1-30).
SELECT d AS as_of, b.customer_id, b.days_1_30, b.total_open, b.open_items
FROM unnest(ARRAY[date '2024-03-03', '2024-03-05']) AS d,
     LATERAL crisk.aged_balance_at(d) AS b
WHERE b.customer_id = 'R'
ORDER BY d;

-- No bucket is ever negative, and the row adds up, on every day of the
-- period.
SELECT count(*) AS rows_checked,
       bool_and(b.current_amount >= 0 AND b.days_1_30 >= 0 AND b.days_31_60 >= 0
                AND b.days_61_90 >= 0 AND b.days_over_90 >= 0 AND b.unapplied_credits <= 0) AS no_negative_bucket,
       bool_and(b.total_open = b.current_amount + b.days_1_30 + b.days_31_60 + b.days_61_90
                               + b.days_over_90 + b.unapplied_credits) AS adds_up
FROM generate_series(date '2024-01-01', date '2024-05-01', interval '1 day') AS d,
     LATERAL crisk.aged_balance_at(d::date) AS b;

-- The view (items unpaid today, at today) agrees with aged_balance_at at
-- today, every date being past: P has -50 of P-CN left, R has R-2 open
-- (200, long overdue).
SELECT customer_id, days_over_90, total_open, open_items, unapplied_credits
FROM crisk.aged_balance ORDER BY customer_id;
SELECT count(*) AS differences FROM (
    (SELECT * FROM crisk.aged_balance EXCEPT ALL SELECT * FROM crisk.aged_balance_at(current_date))
    UNION ALL
    (SELECT * FROM crisk.aged_balance_at(current_date) EXCEPT ALL SELECT * FROM crisk.aged_balance)) AS x;

-- A filter on customer_id still reaches the invoices through an index on
-- customer_id (the open invoices' partial index, or the per-customer one,
-- which the planner may prefer for the unpaid-or-paid-later condition that
-- crisk.open_items_at reads in one scan), and allocations are looked up by
-- theirs.
CREATE FUNCTION pg_temp.plan_uses(query text, index_name text) RETURNS boolean
    LANGUAGE plpgsql AS $$
DECLARE line text;
BEGIN
    FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || query LOOP
        IF line LIKE '%' || index_name || '%' THEN RETURN true; END IF;
    END LOOP;
    RETURN false;
END $$;
SET LOCAL enable_seqscan = off;
SELECT pg_temp.plan_uses($$SELECT * FROM crisk.aged_balance WHERE customer_id = 'P'$$, 'invoice_open_idx')
       OR pg_temp.plan_uses($$SELECT * FROM crisk.aged_balance WHERE customer_id = 'P'$$, 'invoice_customer_idx') AS customer_index,
       pg_temp.plan_uses($$SELECT * FROM crisk.aged_balance WHERE customer_id = 'P'$$, 'allocation_invoice_idx') AS allocation_index,
       pg_temp.plan_uses($$SELECT * FROM crisk.aged_balance WHERE customer_id = 'P'$$, 'allocation_source_idx') AS source_index;
RESET enable_seqscan;

-- crisk.check_order reads crisk.allocation itself (src/customer_facts.c),
-- what is left of each item today, every date above being past.  With a
-- 1 000.00 limit each: P has only the -50.00 left of P-CN open (P-1 and
-- P-3 settled by their allocations, their paid_date never set): 1 050.00
-- available, nothing overdue; R has R-2 open again after the reversal,
-- 200.00 long overdue (R-1 over-applied counts for nothing): 800.00.
INSERT INTO crisk.account (customer_id, credit_limit) VALUES ('P', 1000), ('R', 1000);
SELECT c.customer_id, o.decision, o.available_credit,
       o.reasons[1] LIKE '1 overdue invoice totalling 200.00,%' AS one_overdue_of_200
FROM (VALUES ('P'), ('R')) AS c (customer_id), LATERAL crisk.check_order(c.customer_id, 0) AS o
ORDER BY c.customer_id;
-- A payment applied tomorrow does not count today; applied today it does:
-- 150.00 of R-2 paid, 50.00 left, 950.00 available.
INSERT INTO crisk.allocation (invoice_id, amount, applied_on, source_id) VALUES
    ('R-2', 150.00, current_date + 1, 'BANK-9');
SELECT available_credit FROM crisk.check_order('R', 0);
UPDATE crisk.allocation SET applied_on = current_date WHERE source_id = 'BANK-9';
SELECT available_credit FROM crisk.check_order('R', 0);
DELETE FROM crisk.allocation WHERE source_id = 'BANK-9';
-- An invoice to be paid in five days is open today (read from its row:
-- the index of the unpaid items does not hold it): R-3, 300.00 with
-- 100.00 applied, leaves 200.00; R owes 200.00 + 200.00: 600.00 available.
INSERT INTO crisk.invoice (invoice_id, customer_id, amount, issue_date, due_date, paid_date) VALUES
    ('R-3', 'R', 300.00, '2024-02-01', '2024-03-01', current_date + 5);
INSERT INTO crisk.allocation (invoice_id, amount, applied_on, source_id) VALUES
    ('R-3', 100.00, '2024-03-05', 'BANK-10');
SELECT available_credit FROM crisk.check_order('R', 0);
DELETE FROM crisk.allocation WHERE source_id = 'BANK-10';
DELETE FROM crisk.invoice WHERE invoice_id = 'R-3';
DELETE FROM crisk.account WHERE customer_id IN ('P', 'R');

-- An ERP's reconciliation data, French column names, through a view that
-- renames them: the same figures as crisk's own table.
CREATE SCHEMA erp;
CREATE TABLE erp.lettrage (id serial PRIMARY KEY, no_facture varchar(20) NOT NULL,
                           montant numeric(14,2) NOT NULL, date_lettrage timestamp NOT NULL,
                           piece varchar(20));
INSERT INTO erp.lettrage (no_facture, montant, date_lettrage, piece)
SELECT invoice_id, amount, applied_on, source_id FROM crisk.allocation;
CREATE VIEW erp.allocations AS
    SELECT l.no_facture AS invoice_id, l.montant AS amount, l.date_lettrage AS applied_on, l.piece AS source_id
    FROM erp.lettrage l;
CREATE TEMP TABLE own_figures AS
    SELECT d AS as_of, b.* FROM generate_series(date '2024-01-01', date '2024-05-01', interval '1 day') AS d,
                                LATERAL crisk.aged_balance_at(d::date) AS b;
DELETE FROM crisk.allocation;
SELECT crisk.set_allocations('erp.allocations');
SELECT count(*) AS erp_allocations FROM crisk.allocations;
SELECT count(*) AS differences FROM (
    (SELECT * FROM own_figures
     EXCEPT ALL
     SELECT d, b.* FROM generate_series(date '2024-01-01', date '2024-05-01', interval '1 day') AS d,
                        LATERAL crisk.aged_balance_at(d::date) AS b)
    UNION ALL
    (SELECT d, b.* FROM generate_series(date '2024-01-01', date '2024-05-01', interval '1 day') AS d,
                        LATERAL crisk.aged_balance_at(d::date) AS b
     EXCEPT ALL
     SELECT * FROM own_figures)) AS x;
-- Pinned by OID: a rename changes nothing, dropping the source is refused.
ALTER VIEW erp.allocations RENAME TO allocations_old;
SELECT count(*) AS still_read FROM crisk.allocations;
DROP VIEW erp.allocations_old;
\echo :LAST_ERROR_SQLSTATE
-- check_order reads the source as crisk's owner: handed over to a role
-- whose rights do not cover the caller's, it is refused (42501) before it
-- is read; taken back, it is read again.
CREATE ROLE regress_crisk_allocation_owner;
ALTER VIEW erp.allocations_old OWNER TO regress_crisk_allocation_owner;
SELECT decision FROM crisk.check_order('P', 0);
\echo :LAST_ERROR_SQLSTATE
ALTER VIEW erp.allocations_old OWNER TO CURRENT_USER;
SELECT decision IS NOT NULL AS decided FROM crisk.check_order('P', 0);
-- check_order keeps the source for the session and follows a change at
-- once.  With a 1 000.00 limit, through the ERP's allocations today P owes
-- only the -50.00 left of its credit note: 1 050.00 available.
INSERT INTO crisk.account (customer_id, credit_limit) VALUES ('P', 1000);
SELECT decision, available_credit FROM crisk.check_order('P', 0);
-- Back to the built-in table (empty now): P-1 whole again at 03-05.
SELECT crisk.set_allocations('crisk.allocation');
SELECT count(*) AS allocations FROM crisk.allocations;
SELECT open_amount FROM crisk.open_items_at('2024-03-05') WHERE invoice_id = 'P-1';
-- And for check_order: 1 000.00 + 400.00 - 150.00 = 1 250.00 open, over
-- the limit, none available; one allocation in the built-in table settles
-- P-1: 250.00 open, 750.00 available.
SELECT available_credit FROM crisk.check_order('P', 0);
INSERT INTO crisk.allocation (invoice_id, amount, applied_on, source_id) VALUES
    ('P-1', 1000.00, '2024-04-20', 'BANK-8');
SELECT available_credit FROM crisk.check_order('P', 0);
DELETE FROM crisk.allocation;
DELETE FROM crisk.account WHERE customer_id = 'P';

-- Sources refused.
SELECT crisk.set_allocations(NULL);
\echo :LAST_ERROR_SQLSTATE
CREATE TABLE erp.bad (no_facture text, amount real, applied_on text);
SELECT crisk.set_allocations('erp.bad');  -- every problem listed
\echo :LAST_ERROR_SQLSTATE
CREATE TEMP TABLE scratch_alloc (invoice_id text, amount numeric, applied_on date, source_id text);
SELECT crisk.set_allocations('scratch_alloc');
\echo :LAST_ERROR_SQLSTATE
CREATE VIEW erp.loop AS SELECT * FROM crisk.allocations;
SELECT crisk.set_allocations('erp.loop');
\echo :LAST_ERROR_SQLSTATE
-- A view its owner (no superuser) can change would run that owner's code
-- with crisk's owner's rights.
CREATE ROLE regress_crisk_erp_clerk;
CREATE VIEW erp.clerk_allocations AS SELECT * FROM erp.allocations_old;
ALTER VIEW erp.clerk_allocations OWNER TO regress_crisk_erp_clerk;
SELECT crisk.set_allocations('erp.clerk_allocations');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS sources FROM crisk.allocation_source;

-- Bad allocation rows.
\set VERBOSITY terse
INSERT INTO crisk.allocation (invoice_id, amount, applied_on) VALUES ('', 1, '2024-01-01');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO crisk.allocation (invoice_id, amount, applied_on) VALUES ('X', 'NaN', '2024-01-01');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO crisk.allocation (invoice_id, amount, applied_on) VALUES ('X', 0.001, 'infinity');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO crisk.allocation (invoice_id, amount, applied_on, source_id) VALUES ('X', 1, '2024-01-01', '');
\echo :LAST_ERROR_SQLSTATE

ROLLBACK;
