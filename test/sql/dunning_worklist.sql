-- The dunning worklist (crisk.dunning_worklist, crisk.dunning_worklist_at)
-- and the dunning log (crisk.dunning_action, crisk.record_dunning_action).
-- As of 2024-06-30 unless said.  The default policy's levels start at 7
-- (reminder), 21 (second_reminder), 45 (formal_notice) and 60 days past due
-- (litigation), with minimum gaps of 14, 14 and 10 days after the previous
-- level's action.  Levels are sequential: an invoice never chased is
-- proposed the first level however late it is, the next level only after
-- the previous one was recorded (sql/dunning_collections.sql tests the
-- gaps).  Interest is at the statutory rate: ECB rate + 10 points,
-- 4.00 % + 10 = 14.00 % for the second half of 2023 (rate of 1 July 2023),
-- 4.50 % + 10 = 14.50 % for the first half of 2024 (rate of 1 January),
-- on amount * rate * days / 365 from the day after the due date to as_of,
-- rounded to the cent.  Each failing statement is followed by its SQLSTATE;
-- everything is rolled back at the end.

BEGIN;
\set ON_ERROR_ROLLBACK on

-- No rows.
SELECT count(*) AS rows FROM crisk.dunning_worklist_at('2024-06-30');
SELECT count(*) AS rows FROM crisk.dunning_worklist;

INSERT INTO crisk.dunning_policy (policy, level, days_past_due, action, description) VALUES
    ('slow', 1, 30, 'letter', 'A letter after a month.'),
    ('slow', 2, 90, 'lawyer', 'The lawyer after a quarter.');
INSERT INTO crisk.account (customer_id, name, dunning_policy) VALUES
    ('K1', 'Kilo', 'default'), ('K2', 'Lima', 'slow'), ('K3', 'Mike', 'ghost');
INSERT INTO crisk.invoice (invoice_id, customer_id, amount, issue_date, due_date, paid_date)
SELECT i, c, amt, due - 30, due, paid FROM (VALUES
    ('K1-6',   'K1', 1000.00, date '2024-06-24', NULL::date),   --  6 days: no level yet
    ('K1-7',   'K1', 1000.00, date '2024-06-23', NULL),         --  7 days: level 1
    ('K1-21',  'K1', 2000.00, date '2024-06-09', NULL),         -- 21 days: level 2
    ('K1-45',  'K1', 3000.00, date '2024-05-16', NULL),         -- 45 days: level 3 (2 done)
    ('K1-60',  'K1', 4000.00, date '2024-05-01', NULL),         -- 60 days: level 4 (done)
    ('K1-212', 'K1', 1000.00, date '2023-12-01', NULL),         -- 212 days: level 4
    ('K1-CN',  'K1', -500.00, date '2024-05-01', NULL),         -- credit note: never dunned
    ('K1-PLATER', 'K1', 800.00, date '2024-06-01', date '2024-07-03'),  -- paid after as_of: 29 days, level 2
    ('K1-PAID', 'K1', 800.00, date '2024-06-01', date '2024-06-15'),    -- paid: not listed
    ('K1-0',   'K1',  500.00, date '2024-06-30', NULL),         -- due today: not overdue
    ('K0-10',  'K0',  100.00, date '2024-06-20', NULL),         -- no account: default policy, level 1
    ('K2-21',  'K2',  700.00, date '2024-06-09', NULL),         -- policy slow: 21 days is no level
    ('K2-30',  'K2',  700.00, date '2024-05-31', NULL),         -- policy slow: level 1
    ('K3-10',  'K3',  300.00, date '2024-06-20', NULL)          -- policy ghost has no levels
) AS v(i, c, amt, due, paid);
-- What was done already: level 2 of K1-45 on 06-10, level 4 of K1-60 on
-- 06-30 (recorded directly, as a restore from a dump would).
INSERT INTO crisk.dunning_action (invoice_id, customer_id, policy, level, action, acted_on, days_past_due) VALUES
    ('K1-45', 'K1', 'default', 2, 'second_reminder', '2024-06-10', 25),
    ('K1-60', 'K1', 'default', 4, 'litigation', '2024-06-30', 60);

-- Expected at 2024-06-30:
--   K0-10      10 days, level 1 reminder; 100 * 0.145 * 10 / 365 = 0.397 -> 0.40;
--              total 100 + 0.40 + 40 = 140.40
--   K1-7        7 days, level 1; 1000 * 0.145 * 7 / 365 = 2.781 -> 2.78; 1042.78
--   K1-21      21 days, never chased: level 1; 2000 * 0.145 * 21 / 365
--              = 16.685 -> 16.68; 2056.68
--   K1-45      45 days, level 3: level 2 done on 06-10, 20 days ago (gap 14);
--              3000 * 0.145 * 45 / 365 = 53.630 -> 53.63; 3093.63
--   K1-212    212 days, never chased: level 1; 30 days of 2023 at 14 %:
--              1000 * 0.14 * 30 / 365 = 11.507, 182 days of 2024 at 14.5 %:
--              1000 * 0.145 * 182 / 365 = 72.301; 83.808 -> 83.81; 1123.81
--   K1-PLATER  29 days, never chased: level 1; 800 * 0.145 * 29 / 365
--              = 9.216 -> 9.22; 849.22
--   K2-30      30 days, policy slow level 1 letter; 700 * 0.145 * 30 / 365
--              = 8.342 -> 8.34; 748.34
--   K3-10      10 days, policy ghost: level and action NULL;
--              300 * 0.145 * 10 / 365 = 1.192 -> 1.19; 341.19
-- Not listed: K1-6 (6 days), K1-60 (level 4 done), K1-CN, K1-PAID, K1-0,
-- K2-21 (slow starts at 30 days).
SELECT customer_id, name, invoice_id, amount, days_past_due, dunning_policy, dunning_level, action,
       order_decision, last_level_done, last_acted_on, late_payment_interest, recovery_indemnity, total_due
FROM crisk.dunning_worklist_at('2024-06-30') ORDER BY invoice_id;

-- A day earlier K1-60's litigation (recorded on 06-30) was not yet done,
-- and nothing before it: at 59 days it was due its first reminder;
-- 4000 * 0.145 * 59 / 365 = 93.753 -> 93.75.  K1-7 (6 days) is not yet due a reminder.
SELECT invoice_id, days_past_due, dunning_level, action, last_level_done, late_payment_interest
FROM crisk.dunning_worklist_at('2024-06-29') WHERE invoice_id IN ('K1-60', 'K1-7');

-- Recording actions.  The reminder for K1-7: an id; the same level again:
-- NULL (already on record), and K1-7 leaves the list.
SELECT crisk.record_dunning_action('K1-7', 1, 'called the accounts department', '2024-06-30') IS NOT NULL AS recorded;
SELECT crisk.record_dunning_action('K1-7', 1, NULL, '2024-06-30') IS NULL AS already_recorded;
-- A formal notice sent early for K1-21 (level 3 while level 1 is due):
-- allowed; K1-21 leaves the list until it reaches level 4.
SELECT crisk.record_dunning_action('K1-21', 3, 'sent early: third late payment this year', '2024-06-30') IS NOT NULL AS recorded;
-- K1-PLATER was paid on 07-03, after the action: it can be recorded.
SELECT crisk.record_dunning_action('K1-PLATER', 2, NULL, '2024-06-30') IS NOT NULL AS recorded;
SELECT crisk.record_dunning_action('K0-10', 1, NULL, '2024-06-30') IS NOT NULL AS recorded;
SELECT invoice_id, customer_id, policy, level, action, acted_on, days_past_due, note,
       recorded_by = session_user AS by_me
FROM crisk.dunning_action ORDER BY action_id;
SELECT invoice_id, dunning_level, last_level_done FROM crisk.dunning_worklist_at('2024-06-30') ORDER BY invoice_id;
-- Actions recorded after as_of do not count: at 06-29 (20 days) K1-21 is
-- due its first reminder; the early formal notice came on 06-30.
SELECT invoice_id, dunning_level, last_level_done FROM crisk.dunning_worklist_at('2024-06-29')
WHERE invoice_id = 'K1-21';

-- Bad calls.
SELECT crisk.record_dunning_action(NULL, 1);
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.record_dunning_action('K1-45', NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.record_dunning_action('K1-45', 3, NULL, NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.record_dunning_action('K1-45', 3, NULL, 'infinity');
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.record_dunning_action('NOPE', 1);
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.record_dunning_action('K1-CN', 1, NULL, '2024-06-30');
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.record_dunning_action('K1-PAID', 1, NULL, '2024-06-30');
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.record_dunning_action('K1-45', 9, NULL, '2024-06-30');
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.record_dunning_action('K2-30', 3, NULL, '2024-06-30');
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.record_dunning_action('K3-10', 1, NULL, '2024-06-30');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM crisk.dunning_worklist_at(NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM crisk.dunning_worklist_at('-infinity');
\echo :LAST_ERROR_SQLSTATE
-- pg_dump keeps the log.
SELECT c.relname, e.cond
FROM pg_catalog.pg_extension x, unnest(x.extconfig, x.extcondition) AS e(relid, cond)
JOIN pg_catalog.pg_class c ON c.oid = e.relid
WHERE x.extname = 'crisk' AND c.relname LIKE 'dunning_action%' ORDER BY 1;

-- An erasure takes the customer's dunning actions with it.
SELECT crisk.forget_customer('K0') -> 'crisk.dunning_action' AS dunning_actions_removed;

-- The view agrees with the function at current_date when the ledger holds
-- no future dates: dates relative to today, actions recorded today.
DELETE FROM crisk.dunning_action;
DELETE FROM crisk.invoice;
INSERT INTO crisk.invoice (invoice_id, customer_id, amount, issue_date, due_date, paid_date)
SELECT 'T' || n, 'K' || (n % 4), 10.00 * n * CASE WHEN n % 9 = 0 THEN -1 ELSE 1 END,
       current_date - n - 30, current_date - n,
       CASE WHEN n % 5 = 0 THEN current_date - 1 END
FROM generate_series(0, 120, 3) AS n;
SELECT crisk.record_dunning_action('T9', 1);
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.record_dunning_action('T12', 1) IS NOT NULL AS recorded;
SELECT (SELECT count(*) FROM crisk.dunning_worklist) AS rows,
       NOT EXISTS (SELECT * FROM crisk.dunning_worklist
                   EXCEPT SELECT * FROM crisk.dunning_worklist_at(current_date))
       AND NOT EXISTS (SELECT * FROM crisk.dunning_worklist_at(current_date)
                       EXCEPT SELECT * FROM crisk.dunning_worklist) AS view_agrees;

ROLLBACK;
