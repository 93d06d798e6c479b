-- crisk.check_order(customer_id, amount): the order credit check.
-- It works at call time (today), so the invoices below are dated relative
-- to current_date (T) and the expected figures hold whatever the day.
-- Everything is rolled back at the end; each error is followed by its
-- SQLSTATE.
BEGIN;
\set ON_ERROR_ROLLBACK on

-- The decisions view shows one reason per line, with dates relative to today.
CREATE FUNCTION pg_temp.relative(reason text) RETURNS text
    LANGUAGE sql STABLE
    AS $$SELECT replace(replace(replace(reason,
        (current_date - 10)::text, 'T-10'), (current_date - 30)::text, 'T-30'),
        (current_date - 364)::text, 'T-364')$$;
CREATE TEMP TABLE orders (n serial, customer_id text, amount numeric);
CREATE TEMP VIEW decisions AS
    SELECT o.n, o.customer_id, o.amount, d.decision, d.available_credit,
           pg_temp.relative(r.reason) AS reason
    FROM orders o
    CROSS JOIN LATERAL crisk.check_order(o.customer_id, o.amount) AS d
    CROSS JOIN LATERAL unnest(d.reasons) WITH ORDINALITY AS r(reason, k)
    ORDER BY o.n, r.k;

INSERT INTO crisk.account (customer_id, name, credit_limit, blocked, dunning_policy) VALUES
    ('OK', 'Within limit', 10000.00, false, 'default'),
    ('L2', 'Second reminder', 50000.00, false, 'default'),
    ('L2-44', 'Second reminder, last day', 50000.00, false, 'default'),
    ('L3', 'Formal notice', 50000.00, false, 'default'),
    ('L4', 'Litigation', 50000.00, false, 'default'),
    ('STOP', 'On stop', 10000.00, true, 'default'),
    ('CLASS-E', 'Class E', 10000.00, false, 'default'),
    ('CLASS-D', 'Class D', 10000.00, false, 'default'),
    ('NOLIMIT', 'No limit', NULL, false, 'default'),
    ('ZERO', 'Zero limit', 0, false, 'default'),
    ('HUGE', 'Huge limit', 999999999999999999.99, false, 'default'),
    ('CREDIT', 'Only a credit note', 1000.00, false, 'default'),
    ('EVENTS', 'Legal events', 100000.00, false, 'default'),
    ('STRICT', 'Strict dunning', 10000.00, false, 'strict'),
    ('NOPOLICY', 'Unknown dunning policy', 10000.00, false, 'nonexistent'),
    ('MULTI', 'Several rules', 1000.00, true, 'default'),
    ('OVER', 'Over its limit', 1000.00, false, 'default');
INSERT INTO crisk.dunning_policy (policy, level, days_past_due, action, description, order_decision)
VALUES ('strict', 1, 1, 'call', 'Telephone the customer the day after the due date.', 'block');
INSERT INTO crisk.score (customer_id, as_of, model, score, risk_class, reasons) VALUES
    ('OK', '2024-06-30', 'default', 72, 'B', '[]'),
    ('CLASS-E', '2024-06-30', 'default', 12, 'E', '[]'),
    ('CLASS-D', '2024-06-30', 'default', 35, 'D', '[]'),
    ('MULTI', '2024-06-30', 'default', 20, 'D', '[]');
INSERT INTO crisk.invoice (invoice_id, customer_id, amount, issue_date, due_date, paid_date)
SELECT i, c, a, current_date + issue, current_date + due, current_date + paid
FROM (VALUES
    -- OK: open 2000.00 (not due) + 1000.00 (3 days late) - 500.00 (credit
    -- note) + 700.00 (20 days late, its payment dated in 5 days, so still
    -- open today) = 3200.00; 5000.00 and 300.00 (paid today) are settled.
    ('OK-1', 'OK', 2000.00, -20, 10, NULL),
    ('OK-2', 'OK', 1000.00, -33, -3, NULL),
    ('OK-3', 'OK', 5000.00, -90, -60, -55),
    ('OK-4', 'OK', -500.00, -40, -40, NULL),
    ('OK-5', 'OK', 700.00, -50, -20, 5),
    ('OK-6', 'OK', 300.00, -40, -10, 0),
    -- L2: 1500.00 21 days late and 200.00 5 days late: level 2 from 21 days.
    ('L2-1', 'L2', 1500.00, -51, -21, NULL),
    ('L2-2', 'L2', 200.00, -35, -5, NULL),
    ('L2-44', 'L2-44', 600.00, -74, -44, NULL),
    -- L3: 45 days (level 3 from 45); L4: 60 days (level 4 from 60).
    ('L3-1', 'L3', 800.00, -75, -45, NULL),
    ('L4-1', 'L4', 900.00, -90, -60, NULL),
    ('HUGE-1', 'HUGE', 0.01, -1, 29, NULL),
    -- An open credit note long past its date is not an overdue invoice.
    ('CREDIT-1', 'CREDIT', -100.00, -90, -90, NULL),
    ('STRICT-1', 'STRICT', 100.00, -32, -2, NULL),
    -- A customer without an account, 50 days late.
    ('GHOST2-1', 'GHOST2', 400.00, -80, -50, NULL),
    ('MULTI-1', 'MULTI', 900.00, -10, 20, NULL),
    ('OVER-1', 'OVER', 1500.00, -10, 20, NULL)) AS v(i, c, a, issue, due, paid);
INSERT INTO crisk.event (customer_id, kind, occurred_on, detail) VALUES
    ('EVENTS', 'receivership', current_date - 10, 'Tribunal de commerce de Lyon'),
    ('EVENTS', 'liquidation', '2020-01-01', 'an earlier company under the same account'),
    ('EVENTS', 'safeguard', current_date - 365, 'exactly a year ago: out of the window'),
    ('EVENTS', 'safeguard', current_date - 364, NULL),
    ('EVENTS', 'director_change', current_date, NULL),
    ('EVENTS', 'lien', current_date - 30, 'URSSAF'),
    ('EVENTS', 'other', current_date, 'press article');

-- OK: available credit 10000.00 - 3200.00 = 6800.00.  An order of exactly
-- 6800.00 is approved, one cent more asks for review; an order of 0 is
-- approved.  Its 20-day overdue reached dunning level 1 (7 days, reminder),
-- which does not affect orders.
INSERT INTO orders (customer_id, amount) VALUES ('OK', 6800.00), ('OK', 6800.01), ('OK', 0);
-- L2: 1500.00 + 200.00 overdue, oldest 21 days: level 2, review.  L2-44:
-- 44 days is still level 2.  L3: 45 days, level 3, block.  L4: 60 days,
-- level 4, block.
INSERT INTO orders (customer_id, amount) VALUES ('L2', 100), ('L2-44', 100), ('L3', 100), ('L4', 100);
-- On stop: block whatever the limit; class E blocks, class D reviews;
-- no limit: review with no available credit.
INSERT INTO orders (customer_id, amount) VALUES ('STOP', 1), ('CLASS-E', 1), ('CLASS-D', 1), ('NOLIMIT', 1);
-- A zero limit approves only an order of 0 (0 - 0 = 0 available).
INSERT INTO orders (customer_id, amount) VALUES ('ZERO', 0), ('ZERO', 0.01);
-- Large amounts stay exact: 999999999999999999.99 - 0.01 = 999999999999999999.98.
INSERT INTO orders (customer_id, amount) VALUES ('HUGE', 999999999999999999.98), ('HUGE', 999999999999999999.99);
-- CREDIT: exposure -100.00, so 1000.00 - (-100.00) = 1100.00 available.
INSERT INTO orders (customer_id, amount) VALUES ('CREDIT', 1100.00);
-- Unknown customers: review, no available credit; one with an invoice 50
-- days late is blocked by the default policy's formal-notice level.
INSERT INTO orders (customer_id, amount) VALUES ('GHOST', 1), ('GHOST2', 1);
-- Events (T = today): liquidation (for ever) and receivership (365 days)
-- block; the safeguard of T-365 is out of its 365-day window, the one of
-- T-364 and the lien ask for review; director change and "other" do
-- nothing.  Block reasons come first, each group in date order.
INSERT INTO orders (customer_id, amount) VALUES ('EVENTS', 1);
-- A policy of the user's own: level 1 blocks from the first day late.
-- An account naming a policy that does not exist asks for review.
INSERT INTO orders (customer_id, amount) VALUES ('STRICT', 1), ('NOPOLICY', 1);
-- Several rules at once: on stop (block), exposure 900.00 leaves 100.00 for
-- an order of 200 (review), class D (review).
INSERT INTO orders (customer_id, amount) VALUES ('MULTI', 200);
-- Over its limit (1500.00 open against 1000.00): nothing is available, 0
-- and not -500.00 as 0.1.0 said.
INSERT INTO orders (customer_id, amount) VALUES ('OVER', 1);
SELECT n, customer_id, amount, decision, available_credit, reason FROM decisions;

-- check_order reads the ledger crisk is set to, in the same session: its
-- kept plan is replanned when crisk.set_ledger() rewrites the source.
SELECT decision, available_credit FROM crisk.check_order('OK', 1);
CREATE SCHEMA erp;
CREATE TABLE erp.invoices AS SELECT * FROM crisk.invoice;
INSERT INTO erp.invoices VALUES ('ERP-1', 'OK', 6000.00, current_date, current_date + 30, NULL);
SELECT crisk.set_ledger('erp.invoices');
-- 6800.00 - 6000.00 = 800.00 available.
SELECT decision, available_credit FROM crisk.check_order('OK', 1);
SELECT crisk.set_ledger('crisk.invoice');
SELECT decision, available_credit FROM crisk.check_order('OK', 1);

-- A ledger source whose code changes search_path with SET LOCAL changes
-- it for check_order's call alone: the caller gets its own path back (the
-- function's SET clause undoes the change at its exit; check_order adds no
-- second level of its own when that clause has pinned the path).
CREATE FUNCTION erp.move_search_path() RETURNS text LANGUAGE sql VOLATILE
    AS $$SELECT pg_catalog.set_config('search_path', 'erp, public', true)$$;
CREATE VIEW erp.moving_invoices AS
    SELECT i.* FROM erp.invoices AS i WHERE erp.move_search_path() IS NOT NULL;
SELECT crisk.set_ledger('erp.moving_invoices');
SET search_path = public, pg_catalog;
SELECT decision, available_credit FROM crisk.check_order('OK', 1);
SHOW search_path;
RESET search_path;
SELECT crisk.set_ledger('crisk.invoice');

-- A long payment history is not walked: check_order reads the unpaid
-- items and those paid after today as two ranges of the ledger's index.
-- HIST has 500 invoices paid in the past, 1 000.00 unpaid and 500.00 paid
-- in 3 days: 1 500.00 open, 98 500.00 available, from 2 index entries
-- read in 2 scans (walking the customer's entries read 502 in 1).
INSERT INTO crisk.account (customer_id, name, credit_limit) VALUES ('HIST', 'Long history', 100000);
INSERT INTO crisk.invoice (invoice_id, customer_id, amount, issue_date, due_date, paid_date)
SELECT 'HIST-' || g, 'HIST', 100.00, current_date - 600 + g, current_date - 570 + g, current_date - 560 + g
FROM generate_series(1, 500) AS g
UNION ALL VALUES ('HIST-OPEN', 'HIST', 1000.00, current_date - 5, current_date + 25, NULL),
                 ('HIST-LATER', 'HIST', 500.00, current_date - 20, current_date + 10, current_date + 3);
CREATE TEMP TABLE index_reads AS
    SELECT pg_catalog.pg_stat_get_xact_numscans('crisk.invoice_customer_idx'::regclass) AS scans,
           pg_catalog.pg_stat_get_xact_tuples_returned('crisk.invoice_customer_idx'::regclass) AS entries;
SELECT decision, available_credit FROM crisk.check_order('HIST', 1);
SELECT pg_catalog.pg_stat_get_xact_numscans('crisk.invoice_customer_idx'::regclass) - r.scans AS scans,
       pg_catalog.pg_stat_get_xact_tuples_returned('crisk.invoice_customer_idx'::regclass) - r.entries AS entries_read
FROM index_reads AS r;

-- Bad input.
SELECT * FROM crisk.check_order(NULL, 1);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM crisk.check_order('OK', NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM crisk.check_order('OK', -0.01);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM crisk.check_order('OK', 'NaN');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM crisk.check_order('OK', 'Infinity');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM crisk.check_order('OK', '-Infinity');
\echo :LAST_ERROR_SQLSTATE

ROLLBACK;
