-- ERP integration: the same portfolio kept twice, once in crisk's own tables
-- (crisk.invoice, crisk.allocation, and crisk.credit_reservation for the
-- orders not yet invoiced) and once in an ERP's tables with French column
-- names (pieces, lettrage, commandes), which crisk reads through views
-- named with crisk.set_ledger, crisk.set_allocations and crisk.set_orders.
-- Every figure must be the same both ways: the aged balance (today and at
-- dates between partial payments), the portfolio KPIs, the dunning
-- worklist, crisk.check_order, and a rescoring pass (scores, classes,
-- profiles, limits).
--
-- The ERP differs from crisk in every way an ERP does: credit notes are
-- positive amounts with a document type, amounts are numeric(12,2), keys
-- varchar, the lettering date a timestamp, and an order stays in the
-- orders table with a status once it is invoiced.  The portfolio (12
-- customers, 240 invoices, partial payments, credit notes applied and
-- unapplied, open orders, one of them already invoiced) is computed from
-- the row numbers, so it is the same on every run.
\set ON_ERROR_STOP on
SELECT count(*) AS invoices_before FROM crisk.invoice;

CREATE SCHEMA erp;
CREATE TABLE erp.piece (
    num_piece      varchar(20) PRIMARY KEY,
    code_client    varchar(10) NOT NULL,
    type_piece     char(2) NOT NULL CHECK (type_piece IN ('FA', 'AV')),   -- facture, avoir
    montant_ttc    numeric(12,2) NOT NULL CHECK (montant_ttc > 0),
    date_piece     date NOT NULL,
    date_echeance  date NOT NULL,
    date_solde     date);
CREATE TABLE erp.lettrage (
    id_lettrage    integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    num_piece      varchar(20) NOT NULL REFERENCES erp.piece,
    montant        numeric(12,2) NOT NULL,
    date_lettrage  timestamp NOT NULL,
    ref_origine    varchar(20));               -- virement, or the avoir applied
CREATE TABLE erp.commande (
    num_commande   varchar(20) PRIMARY KEY,
    code_client    varchar(10) NOT NULL,
    montant_ttc    numeric(12,2) NOT NULL,
    date_commande  date NOT NULL,
    statut         text NOT NULL CHECK (statut IN ('saisie', 'confirmee', 'facturee', 'annulee')));

-- The invoices: 12 customers E01..E12, 20 invoices each over 2024, with
-- terms of 30 or 45 days; one in three paid (early or late), one in five
-- of the others paid in parts (40 % five days before the due date, and
-- for even numbers another 30 % twenty days after it).
INSERT INTO erp.piece
SELECT pg_catalog.format('FA-%s-%s', c, n), pg_catalog.format('E%s', lpad(c::text, 2, '0')), 'FA',
       100 + (c * 37 + n * 53) % 900 + ((c * n) % 100) / 100.0,
       d.issued, d.issued + CASE WHEN c % 2 = 0 THEN 45 ELSE 30 END,
       CASE WHEN (c + n) % 3 = 0
                 AND d.issued + CASE WHEN c % 2 = 0 THEN 45 ELSE 30 END + ((c * n) % 40 - 10) <= date '2024-12-31'
            THEN d.issued + CASE WHEN c % 2 = 0 THEN 45 ELSE 30 END + ((c * n) % 40 - 10) END
FROM generate_series(1, 12) AS c, generate_series(1, 20) AS n,
     LATERAL (SELECT date '2024-01-01' + (n * 17 + c * 3) % 330 AS issued) AS d;
INSERT INTO erp.lettrage (num_piece, montant, date_lettrage, ref_origine)
SELECT p.num_piece, round(p.montant_ttc * s.share, 2),
       (p.date_echeance + s.days)::timestamp + time '10:30', pg_catalog.format('VIR-%s-%s', p.num_piece, s.part)
FROM erp.piece p
CROSS JOIN LATERAL (VALUES (1, 0.40, -5), (2, 0.30, 20)) AS s(part, share, days)
WHERE p.date_solde IS NULL
  AND (substr(p.code_client, 2)::int + split_part(p.num_piece, '-', 3)::int) % 5 = 1
  AND (s.part = 1 OR split_part(p.num_piece, '-', 3)::int % 2 = 0)
  AND p.date_echeance + s.days <= date '2024-12-31';
-- Credit notes: one for every seventh invoice, a tenth of it, issued ten
-- days after it; applied to that invoice five days later for even
-- customers, left unapplied for odd ones.
INSERT INTO erp.piece
SELECT replace(p.num_piece, 'FA-', 'AV-'), p.code_client, 'AV', round(p.montant_ttc / 10, 2),
       p.date_piece + 10, p.date_piece + 10, NULL
FROM erp.piece p WHERE split_part(p.num_piece, '-', 3)::int % 7 = 0;
INSERT INTO erp.lettrage (num_piece, montant, date_lettrage, ref_origine)
SELECT replace(a.num_piece, 'AV-', 'FA-'), a.montant_ttc, (a.date_piece + 5)::timestamp, a.num_piece
FROM erp.piece a
WHERE a.type_piece = 'AV' AND substr(a.code_client, 2)::int % 2 = 0;
-- Orders: three per customer, one of them already invoiced (left in the
-- table with its status), one cancelled, and E03's order CMD-3-1 whose
-- number was reused as an invoice number (counted once, as a receivable).
INSERT INTO erp.commande
SELECT pg_catalog.format('CMD-%s-%s', c, k), pg_catalog.format('E%s', lpad(c::text, 2, '0')),
       250 * k + c, date '2024-12-20' + k,
       (ARRAY['confirmee', 'saisie', 'facturee', 'annulee'])[1 + (c + k) % 4]
FROM generate_series(1, 12) AS c, generate_series(1, 3) AS k;
UPDATE erp.commande SET statut = 'confirmee' WHERE num_commande = 'CMD-3-1';
INSERT INTO erp.piece VALUES ('CMD-3-1', 'E03', 'FA', 251.00, '2024-12-30', '2025-01-29', NULL);

-- The views crisk reads, owned by the superuser running this test.
CREATE VIEW erp.crisk_ledger AS
    SELECT num_piece AS invoice_id, code_client AS customer_id,
           CASE type_piece WHEN 'AV' THEN -montant_ttc ELSE montant_ttc END AS amount,
           date_piece AS issue_date, date_echeance AS due_date, date_solde AS paid_date
    FROM erp.piece;
CREATE VIEW erp.crisk_allocations AS
    SELECT num_piece AS invoice_id, montant AS amount, date_lettrage AS applied_on, ref_origine AS source_id
    FROM erp.lettrage;
CREATE VIEW erp.crisk_orders AS
    SELECT num_commande AS order_id, code_client AS customer_id, montant_ttc AS amount, date_commande AS ordered_on
    FROM erp.commande
    WHERE statut IN ('saisie', 'confirmee');

-- The same portfolio in crisk's own tables: invoices with credit notes
-- negative, allocations dated, and the open orders as reservations
-- (order entry that reserves credit needs no orders source).
INSERT INTO crisk.invoice (invoice_id, customer_id, amount, issue_date, due_date, paid_date)
SELECT invoice_id, customer_id, amount, issue_date, due_date, paid_date FROM erp.crisk_ledger;
INSERT INTO crisk.allocation (invoice_id, amount, applied_on, source_id)
SELECT invoice_id, amount, applied_on::date, source_id FROM erp.crisk_allocations;
INSERT INTO crisk.credit_reservation (customer_id, order_id, amount, expires_at)
SELECT customer_id, order_id, amount, now() + interval '7 days' FROM erp.crisk_orders;
-- Every third account has a generous limit locked by hand, so that the
-- order checks have credit left to compare.
INSERT INTO crisk.account (customer_id, name, credit_limit, limit_locked, payment_terms_days)
SELECT pg_catalog.format('E%s', lpad(c::text, 2, '0')), pg_catalog.format('Client %s', c),
       CASE WHEN c % 3 = 0 THEN 50000 ELSE 2000 * c END, c % 3 = 0,
       CASE WHEN c % 2 = 0 THEN 45 ELSE 30 END
FROM generate_series(1, 12) AS c;

-- What the portfolio holds: partial payments, credit notes applied and
-- not, orders open, invoiced, cancelled.
SELECT (SELECT count(*) FROM crisk.invoice WHERE amount > 0) AS invoices,
       (SELECT count(*) FROM crisk.invoice WHERE amount < 0) AS credit_notes,
       (SELECT count(*) FROM crisk.allocation WHERE source_id LIKE 'VIR-%') AS part_payments,
       (SELECT count(*) FROM crisk.allocation WHERE source_id LIKE 'AV-%') AS credit_notes_applied,
       (SELECT count(*) FROM erp.commande WHERE statut IN ('saisie', 'confirmee')) AS open_orders,
       (SELECT count(*) FROM erp.commande WHERE statut NOT IN ('saisie', 'confirmee')) AS other_orders;

-- The figures from crisk's own tables, first a rescoring pass (whose
-- classes and limits the KPIs and the order checks then read).  The dates:
-- mid-year, between the two parts of some payments, the year's end;
-- checks against a small and a large order.
SELECT crisk.rescore((SELECT array_agg(customer_id ORDER BY customer_id) FROM crisk.account WHERE customer_id LIKE 'E__'),
                     '2024-12-31') AS scored_own;
CREATE TEMP TABLE own_scores AS
    SELECT customer_id, as_of, model, score, risk_class, reasons, invoices, open_invoices, billed,
           open_amount, overdue_amount, avg_days_beyond_terms, late_share, max_days_late, dso,
           last_payment, utilization, relationship_months, recommended_limit, credit_limit_after
    FROM crisk.score WHERE customer_id LIKE 'E__';
SELECT count(*) AS limit_changes_own FROM crisk.limit_change WHERE customer_id LIKE 'E__' \gset
SELECT count(*) AS alerts_own FROM crisk.alert WHERE customer_id LIKE 'E__' \gset
CREATE TEMP TABLE own_aged AS SELECT * FROM crisk.aged_balance;
CREATE TEMP TABLE own_aged_at AS
    SELECT d AS as_of, b.* FROM unnest('{2024-06-30,2024-09-15,2024-12-31}'::date[]) AS d,
                                crisk.aged_balance_at(d) AS b;
CREATE TEMP TABLE own_kpi AS
    SELECT d AS as_of, k.* FROM unnest('{2024-06-30,2024-09-15,2024-12-31}'::date[]) AS d,
                                crisk.portfolio_kpi_at(d) AS k;
CREATE TEMP TABLE own_worklist AS SELECT * FROM crisk.dunning_worklist_at('2024-12-31');
CREATE TEMP TABLE own_checks AS
    SELECT a.customer_id, o.amount, c.decision, c.available_credit, c.reasons,
           regexp_replace(array_to_string(c.reasons, '; '), 'reserved ([0-9.]+)', 'open orders \1', 'g') AS same_reasons
    FROM crisk.account a, unnest('{500,20000}'::numeric[]) AS o(amount),
         crisk.check_order(a.customer_id, o.amount) AS c
    WHERE a.customer_id LIKE 'E__';

-- The figures are not trivial: open items in every bucket, unapplied
-- credits, partly paid invoices, orders in the exposure.
SELECT count(*) AS customers, sum(total_open) AS total_open, sum(unapplied_credits) AS unapplied_credits,
       sum(days_over_90) AS days_over_90
FROM own_aged_at WHERE as_of = '2024-12-31';
SELECT as_of, customers, receivables, overdue_amount, dso FROM own_kpi ORDER BY as_of;
SELECT count(*) AS worklist FROM own_worklist;
SELECT decision, count(*), count(*) FILTER (WHERE available_credit > 0) AS with_credit_left
FROM own_checks GROUP BY decision ORDER BY decision;
SELECT risk_class, count(*) FROM own_scores GROUP BY risk_class ORDER BY risk_class;

-- Point crisk at the ERP: the ledger, the allocations and the orders.
-- crisk's own rows stay where they are, unread (the reservations are
-- released by the orders source: each order counts once).
SELECT crisk.set_ledger('erp.crisk_ledger');
SELECT crisk.set_allocations('erp.crisk_allocations');
SELECT crisk.set_orders('erp.crisk_orders');
SELECT (SELECT source::text FROM crisk.ledger_source) AS ledger,
       (SELECT source::text FROM crisk.allocation_source) AS allocations,
       (SELECT source::text FROM crisk.order_source) AS orders;

-- The same figures, row for row (each comparison both ways).
CREATE FUNCTION pg_temp.same(a text, b text) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE n bigint;
BEGIN
    EXECUTE format('SELECT count(*) FROM ((TABLE %s EXCEPT ALL TABLE %s) UNION ALL (TABLE %s EXCEPT ALL TABLE %s)) d',
                   a, b, b, a) INTO n;
    RETURN n = 0;
END $$;
CREATE TEMP TABLE erp_aged AS SELECT * FROM crisk.aged_balance;
CREATE TEMP TABLE erp_aged_at AS
    SELECT d AS as_of, b.* FROM unnest('{2024-06-30,2024-09-15,2024-12-31}'::date[]) AS d,
                                crisk.aged_balance_at(d) AS b;
CREATE TEMP TABLE erp_kpi AS
    SELECT d AS as_of, k.* FROM unnest('{2024-06-30,2024-09-15,2024-12-31}'::date[]) AS d,
                                crisk.portfolio_kpi_at(d) AS k;
CREATE TEMP TABLE erp_worklist AS SELECT * FROM crisk.dunning_worklist_at('2024-12-31');
CREATE TEMP TABLE erp_checks AS
    SELECT a.customer_id, o.amount, c.decision, c.available_credit, c.reasons,
           regexp_replace(array_to_string(c.reasons, '; '), 'reserved ([0-9.]+)', 'open orders \1', 'g') AS same_reasons
    FROM crisk.account a, unnest('{500,20000}'::numeric[]) AS o(amount),
         crisk.check_order(a.customer_id, o.amount) AS c
    WHERE a.customer_id LIKE 'E__';
CREATE TEMP VIEW own_checks_compared AS
    SELECT customer_id, amount, decision, available_credit, same_reasons FROM own_checks;
CREATE TEMP VIEW erp_checks_compared AS
    SELECT customer_id, amount, decision, available_credit, same_reasons FROM erp_checks;
SELECT pg_temp.same('own_aged', 'erp_aged') AS aged_balance,
       pg_temp.same('own_aged_at', 'erp_aged_at') AS aged_balance_at,
       pg_temp.same('own_kpi', 'erp_kpi') AS portfolio_kpi_at,
       pg_temp.same('own_worklist', 'erp_worklist') AS dunning_worklist_at,
       pg_temp.same('own_checks_compared', 'erp_checks_compared') AS check_order;
-- The order checks' reasons name the same amount either way: as reserved
-- when crisk's reservations hold the orders, as open orders when the
-- ERP's orders source does.
SELECT o.customer_id, o.amount, o.decision, o.available_credit,
       substring(array_to_string(o.reasons, '; ') FROM 'open receivables [0-9.]+, reserved [0-9.]+') AS own_exposure,
       substring(array_to_string(e.reasons, '; ') FROM 'open receivables [0-9.]+, open orders [0-9.]+') AS erp_exposure
FROM own_checks o JOIN erp_checks e USING (customer_id, amount)
WHERE o.amount = 20000 AND array_to_string(o.reasons, '; ') LIKE '%reserved%'
ORDER BY o.customer_id;
-- A second pass with the same as_of on the ERP's figures: the same scores,
-- classes, profiles and limits, and (SPEC 5.1, idempotent passes) no
-- limit change and no alert: the ERP's data is the same data.
SELECT crisk.rescore((SELECT array_agg(customer_id ORDER BY customer_id) FROM crisk.account WHERE customer_id LIKE 'E__'),
                     '2024-12-31') AS scored_erp;
CREATE TEMP TABLE erp_scores AS
    SELECT customer_id, as_of, model, score, risk_class, reasons, invoices, open_invoices, billed,
           open_amount, overdue_amount, avg_days_beyond_terms, late_share, max_days_late, dso,
           last_payment, utilization, relationship_months, recommended_limit, credit_limit_after
    FROM crisk.score WHERE customer_id LIKE 'E__';
SELECT pg_temp.same('own_scores', 'erp_scores') AS rescore,
       (SELECT count(*) FROM crisk.limit_change WHERE customer_id LIKE 'E__') = :limit_changes_own AS no_new_limit_change,
       (SELECT count(*) FROM crisk.alert WHERE customer_id LIKE 'E__') = :alerts_own AS no_new_alert;

-- The comparison can fail: a payment the ERP letters and crisk's table
-- does not know changes the aged balance and the KPIs.
BEGIN;
INSERT INTO erp.lettrage (num_piece, montant, date_lettrage, ref_origine)
SELECT num_piece, 10.00, '2024-09-01', 'VIR-EXTRA' FROM erp.piece WHERE date_solde IS NULL AND type_piece = 'FA'
ORDER BY num_piece LIMIT 1;
CREATE TEMP TABLE erp_aged_at_2 AS
    SELECT d AS as_of, b.* FROM unnest('{2024-06-30,2024-09-15,2024-12-31}'::date[]) AS d,
                                crisk.aged_balance_at(d) AS b;
SELECT pg_temp.same('own_aged_at', 'erp_aged_at_2') AS aged_balance_at_after_extra_payment;
ROLLBACK;

-- Back to crisk's own tables; clean up.
SELECT crisk.set_orders(NULL);
SELECT crisk.set_allocations('crisk.allocation');
SELECT crisk.set_ledger('crisk.invoice');
DROP SCHEMA erp CASCADE;
SELECT count(*) AS erased
FROM (SELECT crisk.forget_customer(customer_id) FROM crisk.account WHERE customer_id LIKE 'E__') AS e;
DELETE FROM crisk.allocation WHERE invoice_id LIKE 'FA-%' OR invoice_id LIKE 'CMD-%';
SELECT (SELECT count(*) FROM crisk.invoice WHERE customer_id LIKE 'E__') AS invoices_left,
       (SELECT count(*) FROM crisk.allocation) AS allocations_left,
       (SELECT count(*) FROM crisk.credit_reservation) AS reservations_left;
TRUNCATE crisk.job_run CASCADE;
TRUNCATE crisk.rescore_queue;
