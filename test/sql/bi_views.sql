-- BI views: crisk.aged_balance / aged_balance_at, crisk.portfolio_kpi /
-- portfolio_kpi_at and the provision matrix behind the expected credit
-- loss.  Figures are as of 2024-06-30 (a leap year: April 1 to June 30 is
-- 90 days) and worked out by hand in the comments.  Each failing statement
-- is followed by its SQLSTATE; everything is rolled back at the end.

BEGIN;
\set ON_ERROR_ROLLBACK on

-- No rows: no aged balance, one KPI row of zeros and NULL ratios.
SELECT count(*) AS customers FROM crisk.aged_balance_at('2024-06-30');
SELECT count(*) AS customers FROM crisk.aged_balance;
SELECT customers, receivables, overdue_amount, overdue_share, credit_sales_90_days, dso,
       best_possible_dso, average_days_delinquent, concentration_hhi, provision_matrix,
       expected_credit_loss, customers_scored, customers_class_e, open_alerts
FROM crisk.portfolio_kpi_at('2024-06-30');
SELECT count(*) AS kpi_rows FROM crisk.portfolio_kpi;

-- The portfolio.  Issue dates are 30 days before the due dates unless said.
--   A (account, limit 10 000, class B): the bucket boundaries, a credit
--     note, an invoice paid after as_of, and items that are not open.
--   B (no account): an invoice not yet due and a larger credit note.
--   C (account, limit 1 000, class E): 46 days past due, above its limit.
--   D (account, limit 5 000, class D): everything paid.
--   E (no account): a lone credit note.
INSERT INTO crisk.account (customer_id, name, segment, credit_limit) VALUES
    ('A', 'Alpha', 'sme', 10000), ('C', 'Gamma', 'corporate', 1000), ('D', 'Delta', 'sme', 5000);
-- The limits were in force before 2024 (history kept from before crisk):
-- portfolio_kpi_at reads the limits of its date from crisk.limit_change.
INSERT INTO crisk.limit_change (customer_id, changed_at, old_limit, new_limit, new_locked, changed_by, reason)
SELECT customer_id, '2024-01-01 09:00+00', NULL, credit_limit, false, 'import', 'set before crisk'
FROM crisk.account;
INSERT INTO crisk.invoice (invoice_id, customer_id, amount, issue_date, due_date, paid_date)
SELECT i, c, amt, due - 30, due, paid FROM (VALUES
    ('A-0',   'A',  100.00, date '2024-06-30', NULL::date),  --  0 days: current
    ('A-1',   'A',  200.00, date '2024-06-29', NULL),        --  1 day: 1-30
    ('A-30',  'A',  300.00, date '2024-05-31', NULL),        -- 30 days: 1-30
    ('A-31',  'A',  400.00, date '2024-05-30', NULL),        -- 31 days: 31-60
    ('A-60',  'A',  500.00, date '2024-05-01', NULL),        -- 60 days: 31-60
    ('A-61',  'A',  600.00, date '2024-04-30', NULL),        -- 61 days: 61-90
    ('A-90',  'A',  700.00, date '2024-04-01', NULL),        -- 90 days: 61-90
    ('A-91',  'A',  800.00, date '2024-03-31', NULL),        -- 91 days: 91+
    ('A-NYD', 'A',   50.00, date '2024-07-15', NULL),        -- -15 days: current
    ('A-CN',  'A', -120.00, date '2024-06-10', NULL),        -- credit note, 20 days: 1-30
    ('A-PLATER', 'A', 1000.00, date '2024-06-15', date '2024-07-05'),  -- paid after as_of: open, 15 days: 1-30
    ('A-PAID', 'A', 999.00, date '2024-06-01', date '2024-06-20'),     -- paid before: not open
    ('A-PASOF', 'A', 77.00, date '2024-06-20', date '2024-06-30'),     -- paid on as_of: not open
    ('B-1',   'B',  250.00, date '2024-07-10', NULL),        -- current
    ('B-CN',  'B', -300.00, date '2024-06-25', NULL),        -- credit note, 5 days: 1-30
    ('C-1',   'C', 1500.00, date '2024-05-15', NULL),        -- 46 days: 31-60
    ('D-1',   'D',  600.00, date '2024-05-20', date '2024-05-25'),
    ('E-CN',  'E',  -40.00, date '2024-06-30', NULL)         -- credit note, current
) AS v(i, c, amt, due, paid);
-- Issued after as_of (2024-07-02): not a receivable yet at as_of.
INSERT INTO crisk.invoice VALUES ('A-LATER', 'A', 5000.00, '2024-07-02', '2024-08-01', NULL);
INSERT INTO crisk.score (customer_id, as_of, model, score, risk_class) VALUES
    ('A', '2024-06-30', 'default', 65, 'B'), ('C', '2024-06-30', 'default', 12, 'E'),
    ('D', '2024-06-30', 'default', 30, 'D');
INSERT INTO crisk.alert (kind, customer_id, severity, message, raised_at) VALUES
    ('limit_breach', 'C', 'critical', 'C above its limit', '2024-06-30 02:00+00');
INSERT INTO crisk.alert (kind, customer_id, severity, message, acknowledged_at, acknowledged_by) VALUES
    ('downgrade', 'A', 'warning', 'A downgraded', now(), 'someone');

-- Aged balance at 2024-06-30.
-- A: current  100 (A-0) + 50 (A-NYD)                        =  150.00
--    1-30     200 + 300 + 1000 (A-PLATER)                   = 1500.00
--    31-60    400 + 500                                     =  900.00
--    61-90    600 + 700                                     = 1300.00
--    91+      800                                           =  800.00
--    unapplied credits -120.00 (A-CN, never aged: crisk 0.1.0 put it
--    in 1-30, which it showed as 1380.00)
--    total 4530.00, 11 open items (A-PAID, A-PASOF and
--    A-LATER are not open), oldest invoice due 2024-03-31: 91 days.
-- B: current 250.00, unapplied credits -300.00 (0.1.0: 1-30 -300.00),
--    total -50.00; the oldest invoice (credit notes left out) is B-1, due
--    in 10 days: -10.
-- C: 31-60 1500.00, 46 days.  D: nothing open, no row.
-- E: every bucket 0, unapplied credits -40.00 (0.1.0: current -40.00);
--    no invoice, so no oldest due date.
SELECT * FROM crisk.aged_balance_at('2024-06-30') ORDER BY customer_id;
-- Names, limits and classes come from a join, as a BI user writes it; B
-- and E have no account and no score.
SELECT b.customer_id, a.name, a.credit_limit, s.risk_class, b.total_open
FROM crisk.aged_balance_at('2024-06-30') b
LEFT JOIN crisk.account a USING (customer_id)
LEFT JOIN crisk.score s USING (customer_id)
ORDER BY b.customer_id;
-- The total is what a plain sum of the items open at as_of gives.
SELECT bool_and(b.total_open = (SELECT sum(i.amount) FROM crisk.invoice i
                                WHERE i.customer_id = b.customer_id AND i.issue_date <= '2024-06-30'
                                  AND (i.paid_date IS NULL OR i.paid_date > '2024-06-30')))
       AS total_is_the_open_sum
FROM crisk.aged_balance_at('2024-06-30') b;

-- The view's aggregate, crisk.aging_with_total: crisk.aging's buckets, then
-- their total; A: {150.00, 1380.00, 900.00, 1300.00, 800.00, 4530.00}.  No
-- rows give NULL.
SELECT crisk.aging_with_total(amount, due_date, '2024-06-30') AS a_buckets_and_total
FROM crisk.invoice
WHERE customer_id = 'A' AND issue_date <= '2024-06-30' AND (paid_date IS NULL OR paid_date > '2024-06-30');
SELECT crisk.aging_with_total(amount, due_date, '2024-06-30') IS NULL AS no_rows_null
FROM crisk.invoice WHERE false;

-- A day earlier (2024-06-29): A-0 is current, A-1 due today (current),
-- A-30 is 29 days, A-31 30 days (1-30), A-60 59, A-61 60 (31-60), A-90 89,
-- A-91 90 (61-90); nothing is over 90.  A-PASOF (paid 2024-06-30) is open.
-- A: current 100 + 200 + 50 = 350.00; 1-30 300 + 400 + 1000 + 77
--    = 1777.00 (0.1.0 deducted A-CN: 1657.00); 31-60 500 + 600 = 1100.00;
--    61-90 700 + 800 = 1500.00; total 4607.00 with A-CN's -120.
SELECT customer_id, current_amount, days_1_30, days_31_60, days_61_90, days_over_90, total_open,
       open_items, max_days_past_due
FROM crisk.aged_balance_at('2024-06-29') WHERE customer_id = 'A';

-- Before anything was issued: no rows.
SELECT count(*) AS customers FROM crisk.aged_balance_at('2024-01-01');

-- Bad as_of.
SELECT * FROM crisk.aged_balance_at(NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM crisk.aged_balance_at('infinity');
\echo :LAST_ERROR_SQLSTATE

-- Portfolio KPIs at 2024-06-30.
-- Receivables A 4530 + B -50 + C 1500 + E -40 = 5940.00 (4 customers);
--   current 150 + 250 - 40 = 360.00; 1-30 1380 - 300 = 1080.00;
--   31-60 900 + 1500 = 2400.00; 61-90 1300.00; 91+ 800.00.
-- Overdue 5940 - 360 = 5580.00, share 5580 / 5940 = 0.93939... -> 0.9394.
-- Credit sales issued in (2024-04-01, 2024-06-30]: A-0 100, A-1 200, A-30
--   300, A-31 400 (issued 04-30), A-NYD 50, A-CN -120, A-PLATER 1000, A-PAID
--   999, A-PASOF 77, B-1 250, B-CN -300, C-1 1500, D-1 600, E-CN -40
--   = 5016.00; A-60 was issued on 2024-04-01 itself, outside the period.
-- DSO 5940 / 5016 * 90 = 106.5789... -> 106.58.
-- BPDSO 360 / 5016 * 90 = 6.4593... -> 6.46; ADD 106.58 - 6.46 = 100.12.
-- Countback from 5940: June sales (to the 30th) 50 + 250 = 300, 30 days,
--   5640 left; May 100 + 200 + 300 - 120 + 1000 + 999 + 77 - 300 - 40 = 2216,
--   31 days, 3424 left; April 400 + 500 + 1500 + 600 = 3000, 30 days, 424
--   left; March 600 + 700 + 800 = 2100 > 424: 424 / 2100 * 31 = 6.259 days.
--   91 + 6.259 = 97.259... -> 97.26.
-- HHI over the positive exposures A 4530 and C 1500 (sum 6030):
--   10000 * (4530^2 + 1500^2) / 6030^2 = 10000 * 22770900 / 36360900
--   = 6262.4688 (to 4 places); largest 4530.00; the top 10 hold 100 %.
-- ECL with the default matrix (0.3 %, 1.6 %, 3.6 %, 6.6 %, 10.6 %):
--   360 * 0.003 + 1080 * 0.016 + 2400 * 0.036 + 1300 * 0.066 + 800 * 0.106
--   = 1.08 + 17.28 + 86.40 + 85.80 + 84.80 = 275.36.
-- Classes: A is B, C is E, D is D (D has nothing open but is scored).
-- Limits 10000 + 1000 + 5000 = 16000; C is 500.00 above its limit.
-- One alert open (the other is acknowledged).
SELECT customers, receivables, current_amount, days_1_30, days_31_60, days_61_90, days_over_90,
       overdue_amount, overdue_share, credit_sales_90_days, dso, dso_countback,
       best_possible_dso, average_days_delinquent, round(concentration_hhi::numeric, 4) AS hhi,
       largest_exposure, top_10_share, provision_matrix, expected_credit_loss
FROM crisk.portfolio_kpi_at('2024-06-30');
SELECT customers_scored, customers_class_a, customers_class_b, customers_class_c,
       customers_class_d, customers_class_e, credit_limits_total,
       exposures_above_limit, amount_above_limit, open_alerts
FROM crisk.portfolio_kpi_at('2024-06-30');

-- No sales in the period: on 2024-10-31 nothing was issued in the 90 days
-- (2024-08-02 to 10-31), so sales are 0 and the DSOs NULL.  Every open
-- item is then over 90 days (A-LATER, due 08-01, exactly 91):
-- 5940 - 1000 (A-PLATER, paid 07-05) + 5000 (A-LATER) = 9940.00.
SELECT credit_sales_90_days, dso, best_possible_dso, average_days_delinquent, days_over_90
FROM crisk.portfolio_kpi_at('2024-10-31');
-- Only a credit note issued in the period: sales -10.00, DSOs NULL, no error.
INSERT INTO crisk.invoice VALUES ('E-CN2', 'E', -10.00, '2025-06-01', '2025-06-01', NULL);
SELECT credit_sales_90_days, dso, best_possible_dso, average_days_delinquent
FROM crisk.portfolio_kpi_at('2025-06-30');
DELETE FROM crisk.invoice WHERE invoice_id = 'E-CN2';

-- Bad arguments.
SELECT * FROM crisk.portfolio_kpi_at(NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM crisk.portfolio_kpi_at('-infinity');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM crisk.portfolio_kpi_at('2024-06-30', 'nosuch');
\echo :LAST_ERROR_SQLSTATE

-- The provision matrix.  The shipped one cannot be changed (23001).
SELECT days_past_due, loss_rate FROM crisk.provision_matrix WHERE matrix = 'default' ORDER BY 1;
SELECT * FROM crisk.provision_matrix_rates();
UPDATE crisk.provision_matrix SET loss_rate = 0.5 WHERE matrix = 'default' AND days_past_due = 91;
\echo :LAST_ERROR_SQLSTATE
DELETE FROM crisk.provision_matrix WHERE matrix = 'default';
\echo :LAST_ERROR_SQLSTATE
-- pg_dump keeps the users' rows and the choice in force.
SELECT c.relname, e.cond
FROM pg_catalog.pg_extension x, unnest(x.extconfig, x.extcondition) AS e(relid, cond)
JOIN pg_catalog.pg_class c ON c.oid = e.relid
WHERE x.extname = 'crisk' AND c.relname LIKE 'provision_matrix%' ORDER BY 1;

-- A matrix of one's own, on other buckets: current 1 %, 1-30 5 %, 31-90
-- 20 %, 91-180 50 %, over 180 100 %.  At 2024-06-30:
--   360 * 0.01 + 1080 * 0.05 + (2400 + 1300) * 0.20 + 800 * 0.50 + 0 * 1
--   = 3.60 + 54.00 + 740.00 + 400.00 = 1197.60.
INSERT INTO crisk.provision_matrix (matrix, days_past_due, loss_rate) VALUES
    ('prudent', 0, 0.01), ('prudent', 1, 0.05), ('prudent', 31, 0.20),
    ('prudent', 91, 0.50), ('prudent', 181, 1);
SELECT * FROM crisk.provision_matrix_rates('prudent');
SELECT provision_matrix, expected_credit_loss FROM crisk.portfolio_kpi_at('2024-06-30', 'prudent');
-- Put in force, it is what the KPIs use by default.
SELECT crisk.set_provision_matrix('prudent');
SELECT matrix, set_by = session_user AS by_me FROM crisk.provision_matrix_in_force;
SELECT provision_matrix, expected_credit_loss FROM crisk.portfolio_kpi_at('2024-06-30');
SELECT provision_matrix FROM crisk.portfolio_kpi;
SELECT crisk.set_provision_matrix('default');
SELECT provision_matrix, expected_credit_loss FROM crisk.portfolio_kpi_at('2024-06-30');

-- Rows that do not form a matrix are refused when used (22023), unknown
-- matrices too (42704), and so is a NULL name.
INSERT INTO crisk.provision_matrix (matrix, days_past_due, loss_rate) VALUES
    ('gappy', 0, 0.01), ('gappy', 5, 0.05), ('gappy', 31, 0.2);
SELECT * FROM crisk.provision_matrix_rates('gappy');
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.set_provision_matrix('gappy');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO crisk.provision_matrix (matrix, days_past_due, loss_rate) VALUES ('short', 0, 0.01), ('short', 1, 0.05);
SELECT * FROM crisk.portfolio_kpi_at('2024-06-30', 'short');
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.set_provision_matrix('nosuch');
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.set_provision_matrix(NULL);
\echo :LAST_ERROR_SQLSTATE
-- Rates are fractions.
INSERT INTO crisk.provision_matrix (matrix, days_past_due, loss_rate) VALUES ('pct', 0, 3);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO crisk.provision_matrix (matrix, days_past_due, loss_rate) VALUES ('pct', 0, 'NaN');
\echo :LAST_ERROR_SQLSTATE
DELETE FROM crisk.provision_matrix WHERE NOT shipped;

-- The views as of today agree with the functions at current_date on a
-- ledger without future dates.  Dates relative to today, every bucket.
CREATE TEMP TABLE saved AS SELECT * FROM crisk.invoice;
DELETE FROM crisk.invoice;
INSERT INTO crisk.invoice (invoice_id, customer_id, amount, issue_date, due_date, paid_date)
SELECT 'T' || n, 'A' || (n % 7), (n * 37.13) * CASE WHEN n % 11 = 0 THEN -1 ELSE 1 END,
       current_date - (n % 150) - 30, current_date - (n % 150) + 10,
       CASE WHEN n % 3 = 0 THEN current_date - (n % 5) END
FROM generate_series(1, 400) AS n;
SELECT (SELECT count(*) FROM crisk.aged_balance) AS customers,
       NOT EXISTS (SELECT * FROM crisk.aged_balance EXCEPT SELECT * FROM crisk.aged_balance_at(current_date))
       AND NOT EXISTS (SELECT * FROM crisk.aged_balance_at(current_date) EXCEPT SELECT * FROM crisk.aged_balance)
       AS aged_balance_agrees;
-- With dates in the future they agree too, the view being the function at
-- today: an invoice issued tomorrow is not in today's balance, one marked
-- paid tomorrow is (0.1.0's view, a copy of the query, showed the first).
INSERT INTO crisk.invoice VALUES ('FUT-ISSUE', 'F1', 100, current_date + 1, current_date + 31, NULL),
                                 ('FUT-PAID', 'F2', 200, current_date - 40, current_date - 10, current_date + 1);
SELECT 'view' AS reader, customer_id, total_open FROM crisk.aged_balance WHERE customer_id LIKE 'F%'
UNION ALL
SELECT 'function', customer_id, total_open FROM crisk.aged_balance_at(current_date) WHERE customer_id LIKE 'F%'
ORDER BY 1, 2;
DELETE FROM crisk.invoice;
INSERT INTO crisk.invoice SELECT * FROM saved;

-- An ERP ledger: integer ids and timestamps, renamed by a view, holding A's
-- invoices as customer 1.  The aged balance at 2024-06-30 is A's: 150.00 /
-- 1500.00 / 900.00 / 1300.00 / 800.00, total 4530.00, as above.  The KPIs
-- still age A-CN (1-30 1380.00).  ECL 150 * 0.003
-- + 1380 * 0.016 + 900 * 0.036 + 1300 * 0.066 + 800 * 0.106
-- = 0.45 + 22.08 + 32.40 + 85.80 + 84.80 = 225.53.
CREATE SCHEMA erp;
CREATE TABLE erp.invoices (no integer, client integer, total numeric(12,2), issued timestamp,
                           due timestamp, settled timestamp);
INSERT INTO erp.invoices
SELECT row_number() OVER (ORDER BY invoice_id), 1, amount, issue_date, due_date, paid_date
FROM crisk.invoice WHERE customer_id = 'A';
CREATE VIEW erp.crisk_ledger AS
    SELECT no AS invoice_id, client AS customer_id, total AS amount, issued AS issue_date,
           due AS due_date, settled AS paid_date FROM erp.invoices;
SELECT crisk.set_ledger('erp.crisk_ledger');
SELECT customer_id, current_amount, days_1_30, days_31_60, days_61_90, days_over_90, total_open
FROM crisk.aged_balance_at('2024-06-30');
SELECT customers, receivables, expected_credit_loss FROM crisk.portfolio_kpi_at('2024-06-30');
SELECT crisk.set_ledger('crisk.invoice');
DROP SCHEMA erp CASCADE;
SELECT count(*) AS customers FROM crisk.aged_balance_at('2024-06-30');

-- Huge amounts stay exact: 10^20 + 0.01 in one bucket.
INSERT INTO crisk.invoice VALUES ('HUGE', 'H', 100000000000000000000.01, '2024-06-01', '2024-06-15', NULL);
SELECT days_1_30, total_open FROM crisk.aged_balance_at('2024-06-30') WHERE customer_id = 'H';
DELETE FROM crisk.invoice WHERE invoice_id = 'HUGE';

ROLLBACK;
