-- Exposure includes orders (SPEC 5.2): crisk.check_order counts open
-- receivables, open orders of the orders source not yet invoiced, and live
-- credit reservations.  Figures worked out by hand in the comments.
-- Everything is rolled back; each error is followed by its SQLSTATE.
BEGIN;
\set ON_ERROR_ROLLBACK on

INSERT INTO crisk.account (customer_id, credit_limit) VALUES ('R1', 10000.00), ('R2', 5000.00);
-- R1's ledger: an open invoice 2000.00, a settled one, an open credit note
-- -300.00.  Open receivables 2000.00 - 300.00 = 1700.00.
INSERT INTO crisk.invoice VALUES
    ('R1-1', 'R1', 2000.00, current_date - 10, current_date + 20, NULL),
    ('R1-2', 'R1', 1500.00, current_date - 40, current_date - 10, current_date - 12),
    ('R1-3', 'R1', -300.00, current_date - 5, current_date - 5, NULL);

-- 1. No orders source (the default): 10000.00 - 1700.00 = 8300.00, and the
-- reason reads as in crisk 0.1.0.
SELECT count(*) AS sources FROM crisk.order_source;
SELECT pg_catalog.to_regprocedure('crisk.order_source_rows()') IS NULL AS no_orders_function;
SELECT * FROM crisk.check_order('R1', 8300.01);

-- 2. The ERP's orders, with French column names, through a view.
CREATE SCHEMA erp;
CREATE TABLE erp.commande (numero text PRIMARY KEY, client text NOT NULL,
                           montant numeric(12,2) NOT NULL, passee_le date NOT NULL);
CREATE VIEW erp.crisk_orders AS
    SELECT numero AS order_id, client AS customer_id, montant AS amount, passee_le AS ordered_on
    FROM erp.commande;
SELECT crisk.set_orders('erp.crisk_orders');
SELECT source FROM crisk.order_source;
-- SO-1 is open; SO-2 is already invoiced (the ledger holds an invoice
-- numbered SO-2, open, 800.50), so it counts once, as a receivable; SO-3 is
-- another customer's.
INSERT INTO erp.commande VALUES ('SO-1', 'R1', 1200.00, current_date - 2),
                                ('SO-2', 'R1', 800.50, current_date - 1),
                                ('SO-3', 'R2', 999.00, current_date);
INSERT INTO crisk.invoice VALUES ('SO-2', 'R1', 800.50, current_date, current_date + 30, NULL);
-- Receivables 1700.00 + 800.50 = 2500.50; orders 1200.00; exposure
-- 3700.50; available 10000.00 - 3700.50 = 6299.50.
SELECT * FROM crisk.check_order('R1', 6299.50);
SELECT * FROM crisk.check_order('R1', 6299.51);
-- R2: 5000.00 - 999.00 = 4001.00.
SELECT decision, available_credit FROM crisk.check_order('R2', 4001.00);
-- The order being checked, named, is not counted twice: SO-1 is in the
-- source, so 6299.50 + 1200.00 = 7499.50 is available to it.
SELECT decision, available_credit FROM crisk.check_order('R1', 7499.50, false, 'SO-1');

-- 3. Reservations.  An approved reserving check records the amount.
SHOW crisk.reservation_ttl;
SELECT decision, available_credit FROM crisk.check_order('R1', 1000.00, reserve => true, order_id => 'SO-9');
SELECT customer_id, order_id, amount, expires_at - reserved_at AS lasts, reserved_by = session_user AS by_caller
FROM crisk.credit_reservation;
-- 6299.50 - 1000.00 = 5299.50 for the next order ...
SELECT * FROM crisk.check_order('R1', 5299.51);
-- ... but SO-9 itself, checked again, does not count its own reservation.
SELECT decision, available_credit FROM crisk.check_order('R1', 1000.00, false, 'SO-9');
-- A reservation without an order number, under a shorter TTL: 5299.50 -
-- 299.50 = 5000.00 left.
SET crisk.reservation_ttl = '2h';
SELECT decision, available_credit FROM crisk.check_order('R1', 299.50, true);
RESET crisk.reservation_ttl;
SELECT order_id, amount, expires_at - reserved_at AS lasts FROM crisk.credit_reservation ORDER BY reservation_id;
SELECT decision, available_credit FROM crisk.check_order('R1', 0);
-- Reserving the same order again replaces its reservation (1000.00 ->
-- 1100.00): 5000.00 + 1000.00 = 6000.00 is available to it, and
-- 6000.00 - 1100.00 = 4900.00 is left.
SELECT decision, available_credit FROM crisk.check_order('R1', 1100.00, true, 'SO-9');
SELECT decision, available_credit FROM crisk.check_order('R1', 0);
SELECT count(*) AS reservations_of_so9 FROM crisk.credit_reservation WHERE order_id = 'SO-9';
-- A check that is not approved reserves nothing.
SELECT decision, available_credit FROM crisk.check_order('R1', 4900.01, true, 'SO-10');
SELECT count(*) AS reservations FROM crisk.credit_reservation;

-- 4. The order shows up in the orders source for 1150.00: the reservation
-- ends, the order counts.  Receivables 2500.50, orders 1200.00 + 1150.00,
-- reserved 299.50: 10000.00 - 5150.00 = 4850.00.
INSERT INTO erp.commande VALUES ('SO-9', 'R1', 1150.00, current_date);
SELECT * FROM crisk.check_order('R1', 4850.01);
-- It is invoiced (1150.00) and leaves the orders source: the reservation
-- stays ended, matched against the ledger's invoice_id; same 4850.00.
DELETE FROM erp.commande WHERE numero = 'SO-9';
INSERT INTO crisk.invoice VALUES ('SO-9', 'R1', 1150.00, current_date, current_date + 30, NULL);
SELECT decision, available_credit FROM crisk.check_order('R1', 0);
-- The invoice settled: receivables back to 2500.50, and the reservation
-- still does not come back: 10000.00 - 2500.50 - 1200.00 - 299.50 = 6000.00.
UPDATE crisk.invoice SET paid_date = current_date WHERE invoice_id = 'SO-9';
SELECT decision, available_credit FROM crisk.check_order('R1', 0);

-- 5. Expiry: the reservation without an order number expires: 6000.00 +
-- 299.50 = 6299.50.  Another customer's invoice numbered like the order
-- does not end R1's reservation.
UPDATE crisk.credit_reservation SET reserved_at = now() - interval '8 days', expires_at = now() - interval '1 day'
WHERE order_id IS NULL;
SELECT decision, available_credit FROM crisk.check_order('R1', 0);
SELECT decision, available_credit FROM crisk.check_order('R2', 100.00, true, 'SO-77');
INSERT INTO crisk.invoice VALUES ('SO-77', 'R1', 1.00, current_date, current_date, current_date);
-- R2: 4001.00 - 100.00 = 3901.00.
SELECT decision, available_credit FROM crisk.check_order('R2', 0);

-- 6. The source is pinned by OID: renamed, it is still read; dropped, it
-- is refused; the ERP's role may not own it once set.
ALTER VIEW erp.crisk_orders RENAME TO crisk_orders_renamed;
SELECT decision, available_credit FROM crisk.check_order('R1', 0);
DROP VIEW erp.crisk_orders_renamed;
\echo :LAST_ERROR_SQLSTATE
CREATE ROLE regress_crisk_orders_erp;
ALTER VIEW erp.crisk_orders_renamed OWNER TO regress_crisk_orders_erp;
SELECT decision FROM crisk.check_order('R1', 0);
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.set_orders('erp.crisk_orders_renamed');
\echo :LAST_ERROR_SQLSTATE
ALTER VIEW erp.crisk_orders_renamed OWNER TO CURRENT_USER;
-- NULL goes back to no orders: 10000.00 - 2500.50 = 7499.50.
SELECT crisk.set_orders(NULL);
SELECT pg_catalog.to_regprocedure('crisk.order_source_rows()') IS NULL AS no_orders_function;
SELECT decision, available_credit FROM crisk.check_order('R1', 0);

-- 7. Bad input.
SELECT * FROM crisk.check_order('R1', 10, NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM crisk.check_order('R1', 10, true, '');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM crisk.check_order('R1', -10, true);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM crisk.check_order(NULL, 10, true);
\echo :LAST_ERROR_SQLSTATE
CREATE TABLE erp.bad_orders (order_id text, client text, amount double precision);
SELECT crisk.set_orders('erp.bad_orders');
\echo :LAST_ERROR_SQLSTATE
SET crisk.reservation_ttl = 0;
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS sources FROM crisk.order_source;

-- 8. A reservation names its customer: crisk.forget_customer erases it.
SELECT crisk.forget_customer('R2') -> 'crisk.credit_reservation' AS reservations_erased;
SELECT count(*) AS left_of_r2 FROM crisk.credit_reservation WHERE customer_id = 'R2';

ROLLBACK;
