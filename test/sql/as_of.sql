-- Every figure as of a date from the allocations, and as-of purity: the
-- *_at functions answer from what was known on their date, and the views
-- are those functions at today.  Figures are worked out by hand in the
-- comments (2026 is not a leap year; the statutory rate of 2026's first
-- half is the ECB rate of 1 January, 2.15 %, plus 10 points: 12.15 %).
-- Everything is rolled back at the end.
BEGIN;
\set ON_ERROR_ROLLBACK on

-- T-1: 1 000.00 issued 2026-01-01, due 01-31, paid in three parts, 300 on
-- 02-10, 200 on 03-02 and 500 on 04-01, its paid_date never set.
-- U-1: 800.00 issued 2026-01-10, due 02-09, paid on 02-19 (paid_date, no
-- allocation: a 0.1.0 ledger row).
-- Their limits were set on 2026-01-01 (history kept from before, as an
-- import would write it): 400 for T, 600 for U.
INSERT INTO crisk.account (customer_id, name, credit_limit) VALUES
    ('T', 'Three parts', 400), ('U', 'Whole', 600);
INSERT INTO crisk.limit_change (customer_id, changed_at, old_limit, new_limit, new_locked, changed_by, reason)
VALUES ('T', '2026-01-01 09:00+00', NULL, 400, false, 'import', 'opening'),
       ('U', '2026-01-01 09:00+00', NULL, 600, false, 'import', 'opening');
INSERT INTO crisk.invoice (invoice_id, customer_id, amount, issue_date, due_date, paid_date) VALUES
    ('T-1', 'T', 1000.00, '2026-01-01', '2026-01-31', NULL),
    ('U-1', 'U',  800.00, '2026-01-10', '2026-02-09', '2026-02-19');
INSERT INTO crisk.allocation (invoice_id, amount, applied_on, source_id) VALUES
    ('T-1', 300.00, '2026-02-10', 'BANK-1'),
    ('T-1', 200.00, '2026-03-02', 'BANK-2'),
    ('T-1', 500.00, '2026-04-01', 'BANK-3');

-- The parts: one per allocation, and the remainder (0, settled with the
-- last one); U-1 is its ledger row.
SELECT invoice_id, amount, paid_date, whole, item_paid_date
FROM crisk.ledger_parts() ORDER BY invoice_id, whole, paid_date;

-- The parts agree with crisk.open_items_at on every day, also for a credit
-- note applied to an invoice and partly left, an over-applied invoice and
-- a reversed payment (the cases of test/sql/allocations.sql): on each day
-- of 2024's first half, every item's open parts add up to its open amount.
INSERT INTO crisk.invoice (invoice_id, customer_id, amount, issue_date, due_date, paid_date) VALUES
    ('P-3',  'P',  400.00, '2024-02-14', '2024-03-15', NULL),
    ('P-CN', 'P', -150.00, '2024-02-01', '2024-02-01', NULL),
    ('R-1',  'R',  100.00, '2024-02-01', '2024-03-01', NULL),
    ('R-2',  'R',  200.00, '2024-02-01', '2024-03-01', NULL),
    ('S-1',  'S',  600.00, '2024-01-16', '2024-02-15', '2024-03-01');
INSERT INTO crisk.allocation (invoice_id, amount, applied_on, source_id) VALUES
    ('P-3', 100.00, '2024-03-20', 'P-CN'),
    ('P-3', 300.00, '2024-04-01', 'BANK-4'),
    ('R-1', 120.00, '2024-03-02', 'BANK-5'),
    ('R-2', 200.00, '2024-03-02', 'BANK-6'),
    ('R-2', -200.00, '2024-03-04', 'BANK-6'),
    ('S-1', 100.00, '2024-02-20', 'BANK-7');
SELECT d.d, x.invoice_id, x.open_amount, x.open_parts
FROM (SELECT g::date AS d FROM generate_series(timestamp '2024-01-01', '2024-06-30', '1 day') AS g) AS d,
     LATERAL (SELECT COALESCE(o.invoice_id, p.invoice_id) AS invoice_id, o.open_amount, p.open_parts
              FROM (SELECT i.invoice_id, i.open_amount FROM crisk.open_items_at(d.d) i) o
              FULL JOIN (SELECT l.invoice_id, sum(l.amount) AS open_parts
                         FROM crisk.ledger_parts() l
                         WHERE l.issue_date <= d.d AND (l.paid_date IS NULL OR l.paid_date > d.d)
                         GROUP BY l.invoice_id HAVING sum(l.amount) <> 0) p
                ON p.invoice_id = o.invoice_id
              WHERE o.open_amount IS DISTINCT FROM p.open_parts) x
ORDER BY 1, 2;
-- A store spread by crisk.distribute_store() reads the open items through
-- crisk._open_items_at_distributed (one scan, which Citus can plan): the
-- same rows, on each of those days, as crisk.open_items_at (two index
-- ranges joined by UNION ALL).
SELECT d.d, x.*
FROM (SELECT g::date AS d FROM generate_series(timestamp '2024-01-01', '2024-06-30', '1 day') AS g) AS d,
     LATERAL ((SELECT 'single node only' AS side, * FROM crisk.open_items_at(d.d)
               EXCEPT ALL SELECT 'single node only', * FROM crisk._open_items_at_distributed(d.d))
              UNION ALL
              (SELECT 'distributed only', * FROM crisk._open_items_at_distributed(d.d)
               EXCEPT ALL SELECT 'distributed only', * FROM crisk.open_items_at(d.d))) x
ORDER BY 1, 2, 3;
SELECT count(*) AS open_item_days FROM generate_series(timestamp '2024-01-01', '2024-06-30', '1 day') AS g,
     crisk._open_items_at_distributed(g::date);
DELETE FROM crisk.allocation WHERE invoice_id IN ('P-3', 'R-1', 'R-2', 'S-1');
DELETE FROM crisk.invoice WHERE customer_id IN ('P', 'R', 'S');

-- Open amount of T-1 on each date between the parts: 1 000 before 02-10,
-- 700 from 02-10, 500 from 03-02, nothing from 04-01.
-- DSO over 90 days (receivables / sales issued in (d-90, d] x 90):
--   02-05: (1000 + 800) / 1800 x 90 = 90.00
--   02-20: 700 / 1800 x 90 = 35.00 (U-1 paid)
--   03-15: 500 / 1800 x 90 = 25.00
--   04-01: 0; T-1 left the 90 days, sales 800: 0.00
SELECT d,
       (SELECT b.total_open FROM crisk.aged_balance_at(d) b WHERE b.customer_id = 'T') AS t_open,
       k.receivables, k.credit_sales_90_days, k.dso
FROM unnest('{2026-02-05,2026-02-10,2026-02-20,2026-03-02,2026-03-15,2026-04-01}'::date[]) AS d,
     crisk.portfolio_kpi_at(d) AS k
ORDER BY d;

-- Countback DSO on 02-20: receivables 700; February (20 days so far)
-- sales 0 < 700, so all of February's 20 days count and 700 remains;
-- January's sales 1 800 exceed it: 700 / 1800 x 31 = 12.06; 32.06 days.
SELECT dso_countback FROM crisk.portfolio_kpi_at('2026-02-20');

-- The payment profile, part by part (the aggregate counts the parts: count
-- items on whole = true, as rescoring does).  As of 03-15: paid 300 ten days late
-- and 200 thirty days late (T), 800 ten days late (U):
--   T: (300 x 10 + 200 x 30) / 500 = 18 days beyond terms, 1 invoice, open;
--   U: 10 days.
-- As of 04-30, T: (300 x 10 + 200 x 30 + 500 x 60) / 1000 = 39 days,
-- max 60 days late; the whole-invoice figure would have been 60.
SELECT (p).invoices, (p).open_invoices, (p).open_amount, (p).avg_days_beyond_terms,
       (p).max_days_late, (p).last_payment
FROM (SELECT crisk.payment_profile(l.amount, l.issue_date, l.due_date, l.paid_date, '2026-03-15') AS p
      FROM crisk.ledger_parts() l WHERE l.customer_id = 'T') x;
SELECT crisk.rescore(ARRAY['T', 'U'], '2026-03-15');
SELECT customer_id, invoices, open_invoices, open_amount, avg_days_beyond_terms, max_days_late, last_payment
FROM crisk.score ORDER BY customer_id;
-- A full pass reads T (with allocations) from its parts and U (without)
-- from its ledger rows, and finds the same.
SELECT crisk.rescore(NULL, '2026-03-15');
SELECT customer_id, invoices, open_invoices, open_amount, avg_days_beyond_terms, max_days_late, last_payment
FROM crisk.score ORDER BY customer_id;
SELECT crisk.rescore(ARRAY['T'], '2026-04-30');
SELECT customer_id, invoices, open_invoices, open_amount, avg_days_beyond_terms, max_days_late, last_payment
FROM crisk.score WHERE customer_id = 'T';

-- Dunning interest runs on each part until it was paid.  On 03-15, at
-- 12.15 %: 300 x 0.1215 x 10 / 365 = 1.00 (paid 02-10), 200 x 0.1215 x
-- 30 / 365 = 2.00 (paid 03-02), 500 x 0.1215 x 43 / 365 = 7.16 (open):
-- 10.16, where 1 000 over 43 days would give 14.31.  The invoice is
-- chased for the 500.00 left, plus 40.00 indemnity: 550.16.
SELECT invoice_id, amount, days_past_due, late_payment_interest, recovery_indemnity, total_due
FROM crisk.dunning_worklist_at('2026-03-15');
SELECT customer_id, level, invoice_ids, amount_due, interest, indemnity, total_due
FROM crisk.dunning_letters_at('2026-03-15');

-- check_order's exposure is what is left open today: V-1 (1 000.00, due
-- in 20 days) paid 600.00 yesterday, 100.00 more scheduled for tomorrow:
-- 400.00 open against a 1 000 limit leaves 600.00 of credit (all of it
-- would be taken without the allocations).
INSERT INTO crisk.account (customer_id, name, credit_limit) VALUES ('V', 'Paid in part', 1000);
INSERT INTO crisk.invoice VALUES ('V-1', 'V', 1000.00, current_date - 10, current_date + 20, NULL);
SELECT available_credit FROM crisk.check_order('V', 100);
INSERT INTO crisk.allocation (invoice_id, amount, applied_on, source_id) VALUES
    ('V-1', 600.00, current_date - 1, 'BANK-4'), ('V-1', 100.00, current_date + 1, 'BANK-5');
SELECT decision, available_credit FROM crisk.check_order('V', 500);
DELETE FROM crisk.invoice WHERE customer_id = 'V';
DELETE FROM crisk.allocation WHERE invoice_id = 'V-1';
DELETE FROM crisk.account WHERE customer_id = 'V';

-- As-of purity.  What crisk knew on 2026-03-15: the scores above (as of
-- 03-15 for U; T's latest as of a date up to 03-15), the limits as set.
-- Record every *_at answer for that date, then move everything on: a pass
-- as of today, new limits, an event, a dispute and a promise dated after
-- 03-15, an alert acknowledged today.
CREATE TEMP TABLE before_kpi AS SELECT * FROM crisk.portfolio_kpi_at('2026-03-15');
CREATE TEMP TABLE before_aged AS SELECT * FROM crisk.aged_balance_at('2026-03-15');
CREATE TEMP TABLE before_watch AS SELECT * FROM crisk.watchlist_at('2026-03-15');
CREATE TEMP TABLE before_dunning AS SELECT * FROM crisk.dunning_worklist_at('2026-03-15');
CREATE TEMP TABLE before_letters AS SELECT * FROM crisk.dunning_letters_at('2026-03-15');
SELECT customers_scored, customers_class_a + customers_class_b + customers_class_c AS class_a_to_c,
       credit_limits_total, exposures_above_limit FROM before_kpi;
SELECT customer_id, reason, risk_class, exposure, credit_limit FROM before_watch ORDER BY 1, 2;

INSERT INTO crisk.invoice VALUES ('T-2', 'T', 9000.00, '2026-05-01', '2026-05-31', NULL);
SELECT crisk.rescore(ARRAY['T', 'U'], current_date) > 0 AS rescored;
UPDATE crisk.account SET credit_limit = 100 WHERE customer_id = 'T';
UPDATE crisk.account SET credit_limit = 10000 WHERE customer_id = 'U';
INSERT INTO crisk.event (customer_id, kind, occurred_on)
SELECT 'T', k.kind, '2026-06-01' FROM crisk.event_kind k WHERE k.adverse ORDER BY k.kind LIMIT 1;
INSERT INTO crisk.dispute (invoice_id, opened_on, amount, reason) VALUES ('T-1', '2026-03-20', 500, 'quality');
INSERT INTO crisk.promise (customer_id, invoice_ids, amount, promised_on, due_on, recorded_by)
VALUES ('T', '{T-1}', 500, '2026-03-16', '2026-03-31', 'collector');
UPDATE crisk.alert SET acknowledged_at = now(), acknowledged_by = 'collector';

SELECT (SELECT count(*) FROM (SELECT * FROM before_kpi EXCEPT SELECT * FROM crisk.portfolio_kpi_at('2026-03-15')) x) AS kpi_changed,
       (SELECT count(*) FROM (SELECT * FROM before_aged EXCEPT ALL SELECT * FROM crisk.aged_balance_at('2026-03-15')
                              UNION ALL
                              (SELECT * FROM crisk.aged_balance_at('2026-03-15') EXCEPT ALL SELECT * FROM before_aged)) x) AS aged_changed,
       (SELECT count(*) FROM (SELECT * FROM before_watch EXCEPT ALL SELECT * FROM crisk.watchlist_at('2026-03-15')
                              UNION ALL
                              (SELECT * FROM crisk.watchlist_at('2026-03-15') EXCEPT ALL SELECT * FROM before_watch)) x) AS watch_changed,
       (SELECT count(*) FROM (SELECT * FROM before_dunning EXCEPT ALL SELECT * FROM crisk.dunning_worklist_at('2026-03-15')
                              UNION ALL
                              (SELECT * FROM crisk.dunning_worklist_at('2026-03-15') EXCEPT ALL SELECT * FROM before_dunning)) x) AS dunning_changed,
       (SELECT count(*) FROM (SELECT * FROM before_letters EXCEPT ALL SELECT * FROM crisk.dunning_letters_at('2026-03-15')
                              UNION ALL
                              (SELECT * FROM crisk.dunning_letters_at('2026-03-15') EXCEPT ALL SELECT * FROM before_letters)) x) AS letters_changed;
-- Today's answers did move: the limits and classes of today.
SELECT customer_id, credit_limit FROM crisk.limits_at(current_date) ORDER BY 1;

-- Limits from history: on 03-15, those of 01-01; before 01-01, none (the
-- old_limit of the first change).
SELECT customer_id, credit_limit FROM crisk.limits_at('2026-03-15') ORDER BY 1;
SELECT customer_id, credit_limit FROM crisk.limits_at('2025-12-31') ORDER BY 1;

-- Views are their _at functions at today, with no second copy of the
-- query: the view's plan is the function's, and a filter on customer_id
-- reaches the ledger's index (the functions are inlined: no Function Scan).
CREATE FUNCTION pg_temp.plan_of(query text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    line text;
    plan text := '';
BEGIN
    FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || query LOOP
        plan := plan || line || E'\n';
    END LOOP;
    RETURN plan;
END
$$;
SET enable_seqscan = off;
SELECT v AS view,
       pg_temp.plan_of(format('SELECT * FROM crisk.%s WHERE customer_id = %L', v, 'T')) NOT LIKE '%Function Scan%' AS inlined,
       pg_temp.plan_of(format('SELECT * FROM crisk.%s WHERE customer_id = %L', v, 'T')) LIKE '%Index Cond: (customer_id = ''T''::text)%' AS customer_index,
       pg_temp.plan_of(format('SELECT * FROM crisk.%s WHERE customer_id = %L', v, 'T'))
         = pg_temp.plan_of(format('SELECT * FROM crisk.%s_at(current_date) WHERE customer_id = %L', v, 'T')) AS same_plan
FROM unnest('{aged_balance,watchlist,dunning_worklist,dunning_letters}'::text[]) AS v;
-- The promises that pause dunning are looked up in the customer's index
-- from the earliest due date whose grace is not over
-- (crisk._promise_due_for_grace), skipping the promises of past years.
SELECT pg_temp.plan_of('SELECT * FROM crisk.dunning_worklist WHERE customer_id = ''T''')
       ~ 'Index Cond: [^\n]*due_on >= crisk\._promise_due_for_grace\(CURRENT_DATE\)' AS promises_from_due_date;
-- crisk.promise_status is crisk.promise_status_at(CURRENT_DATE) through
-- its inlined query: a filter on customer_id reaches the promises' index.
SELECT pg_temp.plan_of('SELECT * FROM crisk.promise_status WHERE customer_id = ''T''') NOT LIKE '%Function Scan%' AS inlined,
       pg_temp.plan_of('SELECT * FROM crisk.promise_status WHERE customer_id = ''T''')
       ~ 'promise_customer_idx( on promise p)?\n *Index Cond: \(customer_id = ''T''::text\)' AS customer_index;
-- On one node the aged balance reads the unpaid items from
-- crisk.invoice_open_idx alone (an index-only scan, no visit to the
-- invoices), appended to those paid after the date (crisk.invoice_paid_idx
-- over the portfolio; for one customer, crisk.invoice_customer_idx).  The
-- form a distributed store reads scans the invoices instead.  (Bitmap
-- scans off: on these few rows the planner would take one for either.)
SET enable_bitmapscan = off;
SELECT f AS query,
       pg_temp.plan_of(f) LIKE '%Append%Index Only Scan using invoice_open_idx%' AS unpaid_index_only,
       pg_temp.plan_of(f) LIKE '%Index Scan using invoice_paid_idx%' AS paid_later_index
FROM unnest(ARRAY['SELECT * FROM crisk.aged_balance',
                  'SELECT * FROM crisk.aged_balance WHERE customer_id = ''T''',
                  'SELECT * FROM crisk.aged_balance_at(''2026-03-15'')',
                  'SELECT * FROM crisk._open_items_at_distributed(current_date)']) AS f;
RESET enable_bitmapscan;
RESET enable_seqscan;
-- The view and the function agree today.
SELECT (SELECT count(*) FROM (SELECT * FROM crisk.aged_balance EXCEPT SELECT * FROM crisk.aged_balance_at(current_date)) x) AS aged_diff,
       (SELECT count(*) FROM (SELECT * FROM crisk.watchlist EXCEPT SELECT * FROM crisk.watchlist_at(current_date)) x) AS watch_diff,
       (SELECT count(*) FROM (SELECT * FROM crisk.dunning_worklist EXCEPT SELECT * FROM crisk.dunning_worklist_at(current_date)) x) AS dunning_diff,
       (SELECT count(*) FROM (SELECT * FROM crisk.promise_status EXCEPT SELECT * FROM crisk.promise_status_at(current_date)) x) AS promise_diff;

-- Bad as_of.
SELECT * FROM crisk.watchlist_at(NULL);
SELECT * FROM crisk.dunning_worklist_at('infinity');
SELECT * FROM crisk.dunning_worklist_at(NULL);
SELECT * FROM crisk.aged_balance_at(NULL);

ROLLBACK;
