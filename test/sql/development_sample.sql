-- crisk.development_sample: characteristics as known on the observation
-- date, the limit then in force, and the outcome within the horizon, on
-- five customers worked out by hand, in a transaction rolled back at the
-- end so that later tests see none of them.  Each failing statement is
-- followed by its SQLSTATE.
\set VERBOSITY terse

-- Bad arguments.
SELECT * FROM crisk.development_sample(NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM crisk.development_sample('infinity');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM crisk.development_sample('2025-12-31', '0 days');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM crisk.development_sample('2025-12-31', NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM crisk.development_sample('2025-12-31', '12 months', 0);
\echo :LAST_ERROR_SQLSTATE

BEGIN;

-- Observation date 2025-12-31.
--   DS-A pays a day early (average days beyond terms -1, never late); 3000
--      open, not yet due, against a limit of 10000: utilization 0.3; a
--      lien in March 2025 (1 adverse event); customer since 2020-01-01:
--      71 months.  Nothing goes wrong later: good.
--   DS-B paid 19 days late; an invoice issued after the observation date
--      (not counted) due 2026-03-03 stays unpaid: 90 days past due on
--      2026-06-01, within 12 months: bad.
--   DS-C owes an invoice 77 days past due on the observation date, never
--      paid, and enters receivership on 2026-05-02: bad.
--   DS-D has no invoice issued by the observation date: not in the sample.
--   DS-E paid 167 days late, before the observation date; nothing later:
--      good.
INSERT INTO crisk.account (customer_id, name, credit_limit, customer_since) VALUES
    ('DS-A', 'pays early', 10000, '2020-01-01'), ('DS-B', 'goes 90 days late', 5000, '2021-06-01'),
    ('DS-C', 'goes insolvent', 2000, NULL), ('DS-D', 'new after the observation date', 1000, NULL),
    ('DS-E', 'was late, paid', 4000, NULL);
INSERT INTO crisk.invoice VALUES
    ('DS-A1', 'DS-A', 1000, '2025-10-01', '2025-10-31', '2025-10-30'),
    ('DS-A2', 'DS-A', 3000, '2025-12-01', '2026-01-30', '2026-01-29'),
    ('DS-B1', 'DS-B', 2000, '2025-11-01', '2025-12-01', '2025-12-20'),
    ('DS-B2', 'DS-B', 2500, '2026-02-01', '2026-03-03', NULL),
    ('DS-C1', 'DS-C', 800, '2025-09-15', '2025-10-15', NULL),
    ('DS-D1', 'DS-D', 500, '2026-03-01', '2026-03-31', NULL),
    ('DS-E1', 'DS-E', 700, '2025-06-01', '2025-07-01', '2025-12-15');
INSERT INTO crisk.event (customer_id, kind, occurred_on) VALUES
    ('DS-C', 'receivership', '2026-05-02'), ('DS-A', 'lien', '2025-03-01');

SELECT * FROM crisk.development_sample('2025-12-31') WHERE customer_id LIKE 'DS-%';

-- A shorter horizon and threshold: 3 months, 60 days past due.  DS-B's
-- invoice reaches 60 days on 2026-05-02, after 2026-03-31; DS-C's reached
-- 60 days on 2025-12-14, before the observation date, and its
-- receivership falls after the horizon: nobody goes bad.
SELECT customer_id, bad FROM crisk.development_sample('2025-12-31', '3 months', 60)
WHERE customer_id LIKE 'DS-%';

-- An invoice paid on the very day it reaches the threshold never was that
-- late (an invoice paid on as_of is paid at as_of).
INSERT INTO crisk.invoice VALUES ('DS-E2', 'DS-E', 100, '2026-01-01', '2026-01-31', '2026-05-01');
SELECT customer_id, bad FROM crisk.development_sample('2025-12-31') WHERE customer_id = 'DS-E';
UPDATE crisk.invoice SET paid_date = '2026-05-02' WHERE invoice_id = 'DS-E2';
SELECT customer_id, bad FROM crisk.development_sample('2025-12-31') WHERE customer_id = 'DS-E';

-- Utilization uses the limit in force on the observation date.  Raising
-- DS-A's limit today changes nothing (the account's creation, recorded
-- after the observation date, is the earliest limit known: 10000); a
-- change recorded before the observation date, from 5000 to 8000, makes
-- it 3000 / 8000.
SELECT crisk.set_credit_limit('DS-A', 20000, 'test: raised today') IS NOT NULL AS raised;
SELECT customer_id, utilization FROM crisk.development_sample('2025-12-31') WHERE customer_id = 'DS-A';
INSERT INTO crisk.limit_change (customer_id, changed_at, old_limit, new_limit, old_locked, new_locked, changed_by, reason)
VALUES ('DS-A', '2025-06-01 10:00+00', 5000, 8000, false, false, 'test', 'history loaded');
SELECT customer_id, utilization FROM crisk.development_sample('2025-12-31') WHERE customer_id = 'DS-A';

ROLLBACK;
