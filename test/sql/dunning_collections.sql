-- The collections workflow: disputes (crisk.dispute), promises to pay
-- (crisk.promise, crisk.promise_status_at), the contact log (crisk.contact)
-- and sequential dunning with minimum gaps (crisk.dunning_policy
-- .min_gap_days), as the dunning worklist, the aged balance, the portfolio
-- KPIs, the alerts and the data-protection functions see them.
--
-- Interest is at the statutory rate: ECB rate + 10 points, 14.50 % for the
-- first half of 2024, 14.25 % for the second (rate of 1 July 2024), on
-- amount * rate * days / 365 from the day after the due date, rounded to
-- the cent.  Rows are committed (crisk.rescore runs outside a transaction
-- block) and erased at the end with crisk.forget_customer; this file runs
-- after sql/data_protection.sql, which counts the erasures.
\set ON_ERROR_ROLLBACK on
SET crisk.promise_grace_days = 3;

INSERT INTO crisk.account (customer_id, name, credit_limit, payment_terms_days) VALUES
    ('P1', 'Papa', 100000, 30), ('P2', 'Quebec', 100000, 30), ('P3', 'Romeo', 100000, 30);
INSERT INTO crisk.invoice (invoice_id, customer_id, amount, issue_date, due_date, paid_date) VALUES
    ('P1-A', 'P1', 1000.00, '2024-05-01', '2024-05-31', NULL),  -- disputed 06-10 .. 07-05
    ('P1-B', 'P1', 2000.00, '2024-05-11', '2024-06-10', NULL),  -- promised 06-20 for 06-28
    ('P1-C', 'P1',  500.00, '2024-05-16', '2024-06-15', NULL),
    ('P1-D', 'P1',  700.00, '2024-01-31', '2024-03-01', NULL),  -- disputed since 05-01
    ('P1-E', 'P1',  100.00, '2024-01-31', '2024-03-01', NULL),
    ('P2-A', 'P2',  600.00, '2024-04-01', '2024-05-01', '2024-06-29'),  -- promise kept
    ('P2-B', 'P2',  300.00, '2024-04-01', '2024-05-01', '2024-06-25'),  -- promise broken
    ('P3-A', 'P3', 1000.00, '2024-03-02', '2024-04-01', NULL);

-- Disputes.  Inserted with the invoice alone: customer and amount come
-- from the ledger.  P1-A is disputed for 400.00 of its 1000.00.
INSERT INTO crisk.dispute (invoice_id, opened_on, amount, reason)
VALUES ('P1-A', '2024-06-10', 400.00, 'two pallets delivered damaged');
INSERT INTO crisk.dispute (invoice_id, opened_on, reason)
VALUES ('P1-D', '2024-05-01', 'price differs from the order');
SELECT dispute_id IS NOT NULL AS has_id, invoice_id, customer_id, opened_on, amount, reason,
       resolved_on, resolution, recorded_by = session_user AS by_me
FROM crisk.dispute ORDER BY invoice_id;
-- Bad disputes: unknown invoice, a credit note, more than the invoice, a
-- resolution without a date, resolved before it was opened, no reason.
INSERT INTO crisk.invoice VALUES ('P1-CN', 'P1', -50.00, '2024-06-01', '2024-06-01', NULL);
INSERT INTO crisk.dispute (invoice_id, reason) VALUES ('NOPE', 'x');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO crisk.dispute (invoice_id, reason) VALUES ('P1-CN', 'x');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO crisk.dispute (invoice_id, amount, reason) VALUES ('P1-C', 500.01, 'x');
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY terse
INSERT INTO crisk.dispute (invoice_id, reason, resolution) VALUES ('P1-C', 'x', 'credit note');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO crisk.dispute (invoice_id, reason, opened_on, resolved_on, resolution)
VALUES ('P1-C', 'x', '2024-06-10', '2024-06-09', 'withdrawn');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO crisk.dispute (invoice_id, reason) VALUES ('P1-C', '');
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY default
DELETE FROM crisk.invoice WHERE invoice_id = 'P1-CN';

-- Promises to pay.  P1 promised on 06-20 to pay P1-B by 06-28 (grace to
-- 07-01); P2 promised P2-A by 06-27 (grace to 06-30; paid 06-29: kept)
-- and P2-B by 06-20 (grace to 06-23; paid 06-25: broken).
INSERT INTO crisk.promise (customer_id, invoice_ids, amount, promised_on, due_on) VALUES
    ('P1', '{P1-B}', 2000.00, '2024-06-20', '2024-06-28'),
    ('P2', '{P2-A}',  600.00, '2024-06-20', '2024-06-27'),
    ('P2', '{P2-B}',  300.00, '2024-06-10', '2024-06-20');
\set VERBOSITY terse
INSERT INTO crisk.promise (customer_id, invoice_ids, amount, due_on) VALUES ('P1', '{}', 10, '2030-01-01');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO crisk.promise (customer_id, invoice_ids, amount, due_on) VALUES ('P1', '{P1-C,NULL}', 10, '2030-01-01');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO crisk.promise (customer_id, invoice_ids, amount, due_on) VALUES ('P1', '{P1-C}', 0, '2030-01-01');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO crisk.promise (customer_id, invoice_ids, amount, promised_on, due_on) VALUES ('P1', '{P1-C}', 10, '2024-06-20', '2024-06-19');
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY default
-- The invoices a promise covers: an unknown invoice (42704), another
-- customer's, a credit note, an invoice named twice (22023), on insert
-- and on update; nothing is recorded.
\set SHOW_CONTEXT never
INSERT INTO crisk.invoice VALUES ('P1-CN', 'P1', -50.00, '2024-06-01', '2024-06-01', NULL);
INSERT INTO crisk.promise (customer_id, invoice_ids, amount, due_on) VALUES ('P1', '{P1-C,NOPE}', 10, '2030-01-01');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO crisk.promise (customer_id, invoice_ids, amount, due_on) VALUES ('P1', '{P1-C,P2-A}', 10, '2030-01-01');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO crisk.promise (customer_id, invoice_ids, amount, due_on) VALUES ('P1', '{P1-CN}', 10, '2030-01-01');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO crisk.promise (customer_id, invoice_ids, amount, due_on) VALUES ('P1', '{P1-C,P1-E,P1-C}', 10, '2030-01-01');
\echo :LAST_ERROR_SQLSTATE
UPDATE crisk.promise SET invoice_ids = '{P1-B,P2-B}' WHERE customer_id = 'P1';
\echo :LAST_ERROR_SQLSTATE
UPDATE crisk.promise SET customer_id = 'P3' WHERE customer_id = 'P1';
\echo :LAST_ERROR_SQLSTATE
\set SHOW_CONTEXT errors
SELECT customer_id, invoice_ids FROM crisk.promise ORDER BY promise_id;
-- A row that carries an earlier recorded_at (pg_restore, before an ERP
-- ledger source is loaded; migrated history) is taken as it is; changing
-- something else than its customer or invoices is not checked either.
BEGIN;
INSERT INTO crisk.promise (customer_id, invoice_ids, amount, promised_on, due_on, recorded_at)
VALUES ('P1', '{ARCHIVED-1}', 10, '2023-01-01', '2023-01-31', '2023-01-01 10:00+00');
UPDATE crisk.promise SET note = 'migrated' WHERE invoice_ids = '{ARCHIVED-1}';
SELECT customer_id, invoice_ids, note FROM crisk.promise WHERE invoice_ids = '{ARCHIVED-1}';
ROLLBACK;
DELETE FROM crisk.invoice WHERE invoice_id = 'P1-CN';
-- Status on 06-22: P2-B's promise pending (grace to 06-23), the others
-- pending too (P1's not yet made on 06-19 is not listed then).
SELECT customer_id, invoice_ids, amount, due_on, grace_until, paid_amount, status
FROM crisk.promise_status_at('2024-06-22') ORDER BY promise_id;
SELECT count(*) AS promises_made_by_06_19 FROM crisk.promise_status_at('2024-06-19');
-- On 06-30: P2-A's kept (600.00 paid on 06-29), P2-B's broken (paid
-- 06-25, after its grace), P1's pending (grace to 07-01).
SELECT customer_id, invoice_ids, grace_until, paid_amount, status
FROM crisk.promise_status_at('2024-06-30') ORDER BY promise_id;
-- On 07-02 P1's is broken.
SELECT customer_id, invoice_ids, status FROM crisk.promise_status_at('2024-07-02') ORDER BY promise_id;
-- A longer grace moves the day a promise breaks: with 5 days, P1's runs
-- to 07-03 and is pending on 07-02.
SET crisk.promise_grace_days = 5;
SELECT customer_id, grace_until, status FROM crisk.promise_status_at('2024-07-02') WHERE customer_id = 'P1';
SET crisk.promise_grace_days = 3;
SELECT * FROM crisk.promise_status_at(NULL);
\echo :LAST_ERROR_SQLSTATE

-- The dunning worklist on 06-30.  P1-A (dispute open) and P1-D (dispute
-- open) are left out, P1-B too (promise within its grace), P3-A as well:
-- level 1 was recorded on 06-20 and level 2 waits 14 days, to 07-04.
--   P1-C  15 days, level 1: 500 * 0.145 * 15 / 365 = 2.979 -> 2.98; 542.98
--   P1-E 121 days, never chased, level 1: 100 * 0.145 * 121 / 365
--        = 4.807 -> 4.81; 144.81
INSERT INTO crisk.dunning_action (invoice_id, customer_id, policy, level, action, acted_on, days_past_due)
VALUES ('P3-A', 'P3', 'default', 1, 'reminder', '2024-06-20', 80);
SELECT invoice_id, days_past_due, dunning_level, action, last_level_done, late_payment_interest,
       recovery_indemnity, total_due
FROM crisk.dunning_worklist_at('2024-06-30') ORDER BY invoice_id;
-- The letters of that day are those of the worklist: P1's reminder holds
-- P1-C and P1-E, not the disputed P1-A and P1-D nor the promised P1-B.
SELECT customer_id, level, invoice_ids FROM crisk.dunning_letters_at('2024-06-30') ORDER BY customer_id, level;
-- On 06-09 the dispute of P1-A was not yet opened: it is listed (9 days,
-- level 1; 1000 * 0.145 * 9 / 365 = 3.575 -> 3.58).
SELECT invoice_id, days_past_due, dunning_level, late_payment_interest
FROM crisk.dunning_worklist_at('2024-06-09') WHERE invoice_id = 'P1-A';
-- On 07-02 P1's promise is broken: P1-B comes back, 22 days, level 1:
-- 20 days of June at 14.5 % (2000 * 0.145 * 20 / 365 = 15.890) and 2 of
-- July at 14.25 % (2000 * 0.1425 * 2 / 365 = 1.562): 17.452 -> 17.45.
SELECT invoice_id, days_past_due, dunning_level, late_payment_interest, total_due
FROM crisk.dunning_worklist_at('2024-07-02') WHERE invoice_id = 'P1-B';
-- Minimum gap: P3-A's level 2 is proposed on 07-04 (14 days after the
-- reminder), not on 07-03.  94 days: 90 of 2024 H1 at 14.5 %
-- (1000 * 0.145 * 90 / 365 = 35.753) and 4 of July at 14.25 %
-- (1000 * 0.1425 * 4 / 365 = 1.562): 37.315 -> 37.32.
SELECT count(*) AS p3_on_07_03 FROM crisk.dunning_worklist_at('2024-07-03') WHERE invoice_id = 'P3-A';
SELECT invoice_id, days_past_due, dunning_level, action, last_level_done, last_acted_on, late_payment_interest
FROM crisk.dunning_worklist_at('2024-07-04') WHERE invoice_id = 'P3-A';
-- A store spread by crisk.distribute_store() reads the invoices with their
-- latest action through crisk._dunning_items_at_distributed (the actions
-- grouped and joined, which Citus can plan): the same rows on every day
-- of the period as crisk._dunning_items_at (a lookup per invoice), P3-A's
-- action among them from 06-20 on.
SELECT count(*) AS differences FROM generate_series(date '2024-06-01', date '2024-07-10', interval '1 day') AS g,
     LATERAL ((SELECT * FROM crisk._dunning_items_at(g::date)
               EXCEPT ALL SELECT * FROM crisk._dunning_items_at_distributed(g::date))
              UNION ALL
              (SELECT * FROM crisk._dunning_items_at_distributed(g::date)
               EXCEPT ALL SELECT * FROM crisk._dunning_items_at(g::date))) AS x;
SELECT count(*) AS item_days, count(*) FILTER (WHERE i.last_level = 1) AS days_after_the_reminder,
       min(g) FILTER (WHERE i.last_level = 1)::date AS first_day_after_the_reminder
FROM generate_series(date '2024-06-01', date '2024-07-10', interval '1 day') AS g,
     LATERAL crisk._dunning_items_at(g::date) AS i;
-- A policy whose level 2 has no gap proposes it the day after level 1.
INSERT INTO crisk.dunning_policy (policy, level, days_past_due, action, description, min_gap_days) VALUES
    ('brisk', 1, 5, 'call', 'Call.', 0), ('brisk', 2, 10, 'letter', 'Letter.', 0);
UPDATE crisk.account SET dunning_policy = 'brisk' WHERE customer_id = 'P3';
SELECT invoice_id, dunning_level, action FROM crisk.dunning_worklist_at('2024-06-21') WHERE invoice_id = 'P3-A';
UPDATE crisk.account SET dunning_policy = 'default' WHERE customer_id = 'P3';
DELETE FROM crisk.dunning_policy WHERE policy = 'brisk';
\set VERBOSITY terse
INSERT INTO crisk.dunning_policy (policy, level, days_past_due, action, description, min_gap_days)
VALUES ('brisk', 1, 5, 'call', 'Call.', -1);
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY default
-- The shipped gaps.
SELECT level, action, days_past_due, min_gap_days FROM crisk.dunning_policy WHERE policy = 'default' ORDER BY level;

-- A dispute resolved on 07-05 lets P1-A back on that day: 35 days, 30 of
-- June at 14.5 % (11.918) and 5 of July at 14.25 % (1.952): 13.870 -> 13.87.
UPDATE crisk.dispute SET resolved_on = '2024-07-05', resolution = 'claim rejected: damage not reported on delivery'
WHERE invoice_id = 'P1-A';
SELECT count(*) AS p1a_on_07_04 FROM crisk.dunning_worklist_at('2024-07-04') WHERE invoice_id = 'P1-A';
SELECT invoice_id, days_past_due, dunning_level, late_payment_interest
FROM crisk.dunning_worklist_at('2024-07-05') WHERE invoice_id = 'P1-A';

-- Disputed figures.  On 06-30 P1 has 400.00 (P1-A) + 700.00 (P1-D)
-- disputed, out of 4300.00 open; on 06-09, 700.00 (P1-A's not yet); on
-- 07-05, 700.00 (P1-A's resolved that day).
SELECT customer_id, total_open, disputed FROM crisk.aged_balance_at('2024-06-30') ORDER BY customer_id;
SELECT customer_id, disputed FROM crisk.aged_balance_at('2024-06-09') ORDER BY customer_id;
SELECT customer_id, disputed FROM crisk.aged_balance_at('2024-07-05') ORDER BY customer_id;
-- The portfolio's disputed figure is the aged balance's, added up: 1100.00
-- on 06-30, 700.00 on 06-09 and on 07-05; nothing before 05-01.
SELECT d AS as_of, k.disputed,
       k.disputed = (SELECT coalesce(sum(b.disputed), 0) FROM crisk.aged_balance_at(d) b) AS agrees
FROM unnest('{2024-04-30,2024-06-09,2024-06-30,2024-07-05}'::date[]) AS d,
     crisk.portfolio_kpi_at(d) AS k ORDER BY d;
-- Today (the view): both disputes were opened in the past; P1-A's is
-- resolved, P1-D's open: 700.00.  Paying P1-D takes it out.
SELECT customer_id, disputed FROM crisk.aged_balance WHERE customer_id IN ('P1', 'P3') ORDER BY customer_id;
SELECT disputed FROM crisk.portfolio_kpi;
UPDATE crisk.invoice SET paid_date = current_date WHERE invoice_id = 'P1-D';
SELECT customer_id, disputed FROM crisk.aged_balance WHERE customer_id = 'P1';
SELECT disputed FROM crisk.portfolio_kpi;
UPDATE crisk.invoice SET paid_date = NULL WHERE invoice_id = 'P1-D';

-- The view is the function at today, disputes and promises included:
-- dates relative to today.
BEGIN;
INSERT INTO crisk.invoice (invoice_id, customer_id, amount, issue_date, due_date) VALUES
    ('P3-T1', 'P3', 100.00, current_date - 60, current_date - 30),
    ('P3-T2', 'P3', 200.00, current_date - 60, current_date - 30),
    ('P3-T3', 'P3', 300.00, current_date - 60, current_date - 30);
INSERT INTO crisk.dispute (invoice_id, opened_on, reason) VALUES ('P3-T1', current_date - 1, 'quality');
INSERT INTO crisk.promise (customer_id, invoice_ids, amount, promised_on, due_on)
VALUES ('P3', '{P3-T2}', 200.00, current_date - 2, current_date + 5);
-- Listed: P3-A (due its second reminder for long) and P3-T3; P3-T1 is
-- disputed, P3-T2 promised.
SELECT invoice_id FROM crisk.dunning_worklist WHERE customer_id = 'P3' ORDER BY invoice_id;
SELECT NOT EXISTS (SELECT * FROM crisk.dunning_worklist
                   EXCEPT SELECT * FROM crisk.dunning_worklist_at(current_date))
       AND NOT EXISTS (SELECT * FROM crisk.dunning_worklist_at(current_date)
                       EXCEPT SELECT * FROM crisk.dunning_worklist) AS view_agrees;
SELECT NOT EXISTS (SELECT * FROM crisk.aged_balance
                   EXCEPT SELECT * FROM crisk.aged_balance_at(current_date))
       AND NOT EXISTS (SELECT * FROM crisk.aged_balance_at(current_date)
                       EXCEPT SELECT * FROM crisk.aged_balance) AS aged_balance_agrees;
ROLLBACK;

-- Alerts of a pass on 07-02.  broken_promise for P1's promise (grace to
-- 07-01, nothing paid) and P2-B's (paid 06-25, after 06-23); none for
-- P2-A's (kept).  overdue_90: P1-E (123 days) and P3-A (92 days), not
-- P1-D (123 days, disputed).
SELECT crisk.rescore(ARRAY['P1', 'P2', 'P3'], '2024-07-02');
SELECT kind, customer_id, regexp_replace(message, '^promise [0-9]+', 'promise #') AS message,
       detail ->> 'invoice_ids' AS invoice_ids, detail ->> 'paid_amount' AS paid_amount,
       detail ->> 'grace_until' AS grace_until
FROM crisk.alert a WHERE kind = 'broken_promise' ORDER BY customer_id;
SELECT kind, customer_id, condition_key FROM crisk.alert WHERE kind = 'overdue_90' ORDER BY condition_key;
-- A second pass raises nothing again, nor after acknowledging.
SELECT crisk.acknowledge_alert(alert_id) FROM crisk.alert WHERE kind = 'broken_promise' ORDER BY alert_id;
SELECT crisk.rescore(ARRAY['P1', 'P2', 'P3'], '2024-07-02');
SELECT count(*) AS broken_promise_alerts FROM crisk.alert WHERE kind = 'broken_promise';

-- A worker role given its privileges before disputes and promises existed
-- (here: revoked again) still scores, with a warning, until
-- crisk.grant_worker_privileges is run for it again.
CREATE ROLE regress_collections_worker;
SELECT crisk.grant_worker_privileges('regress_collections_worker');
REVOKE SELECT ON crisk.dispute, crisk.promise FROM regress_collections_worker;
SET ROLE regress_collections_worker;
SELECT crisk.rescore(ARRAY['P1', 'P2', 'P3'], '2024-07-02');
RESET ROLE;
SELECT crisk.grant_worker_privileges('regress_collections_worker');
SET ROLE regress_collections_worker;
SELECT crisk.rescore(ARRAY['P1', 'P2', 'P3'], '2024-07-02');
RESET ROLE;
DROP OWNED BY regress_collections_worker;
DROP ROLE regress_collections_worker;

-- Broken promises in the score (scorecard characteristic
-- broken_promises_12m: promises broken in the twelve months up to as_of).
-- The shipped model does not use it (its points already add up to 100);
-- a model of the user's does.  "collections" is the default model with
-- relationship_months (5 points at most) traded for broken promises: 5
-- points for none, 2 for one, 0 for two or more, 3 when unknown.
INSERT INTO crisk.scorecard (model, characteristic, lower_bound, upper_bound, points)
SELECT 'collections', characteristic, lower_bound, upper_bound, points
FROM crisk.scorecard WHERE model = 'default' AND characteristic <> 'relationship_months';
INSERT INTO crisk.scorecard (model, characteristic, lower_bound, upper_bound, points) VALUES
    ('collections', 'broken_promises_12m', NULL, NULL, 3),
    ('collections', 'broken_promises_12m', NULL,    1, 5),
    ('collections', 'broken_promises_12m',    1,    2, 2),
    ('collections', 'broken_promises_12m',    2, NULL, 0);
SELECT * FROM crisk.validate_model('collections');
-- The same customer otherwise: each broken promise costs points; unknown
-- (NULL) earns the missing-value points; the default model ignores it.
SELECT n AS broken_promises_12m,
       crisk.credit_score(NULL::crisk.payment_profile, altman_z => 2.5, utilization => 0.4,
                          model => 'collections', broken_promises_12m => n) AS collections,
       crisk.credit_score(NULL::crisk.payment_profile, altman_z => 2.5, utilization => 0.4,
                          broken_promises_12m => n) AS "default"
FROM unnest(ARRAY[0, 1, 2, 5, NULL]) AS n;
SELECT characteristic, value, points, max_points
FROM crisk.explain_score(NULL::crisk.payment_profile, model => 'collections', broken_promises_12m => 1)
WHERE characteristic = 'broken_promises_12m';
SELECT crisk.credit_score(NULL::crisk.payment_profile, broken_promises_12m => -1);
\echo :LAST_ERROR_SQLSTATE
-- In a pass: P2 broke one promise (P2-B's, grace to 06-23) by 07-02.
-- Scored with "collections", its reasons show it (2 of 5 points); had
-- the promise been kept (due 06-24, grace to 06-27: paid 06-25), the same
-- pass gives 3 points more, and nothing else changes.
UPDATE crisk.account SET model = 'collections' WHERE customer_id = 'P2';
SELECT crisk.rescore(ARRAY['P2'], '2024-07-02');
SELECT score AS score_with_broken_promise FROM crisk.score WHERE customer_id = 'P2' \gset
SELECT r ->> 'value' AS value, r ->> 'points' AS points, r ->> 'max_points' AS max_points
FROM crisk.score, jsonb_array_elements(reasons) AS r
WHERE customer_id = 'P2' AND r ->> 'characteristic' = 'broken_promises_12m';
UPDATE crisk.promise SET due_on = '2024-06-24' WHERE invoice_ids = '{P2-B}';
SELECT crisk.rescore(ARRAY['P2'], '2024-07-02');
SELECT score - :score_with_broken_promise AS points_regained,
       (SELECT r ->> 'value' FROM jsonb_array_elements(reasons) AS r
        WHERE r ->> 'characteristic' = 'broken_promises_12m') AS broken_promises_12m
FROM crisk.score WHERE customer_id = 'P2';
-- A year after the promise broke, it no longer counts (grace 06-23: it
-- counts up to 2025-06-23 included).
UPDATE crisk.promise SET due_on = '2024-06-20' WHERE invoice_ids = '{P2-B}';
SELECT customer_id, broken_promises_12m FROM crisk._broken_promises_12m(ARRAY['P1', 'P2'], '2025-06-23') ORDER BY 1;
SELECT customer_id, broken_promises_12m FROM crisk._broken_promises_12m(ARRAY['P1', 'P2'], '2025-06-24') ORDER BY 1;
SELECT customer_id, broken_promises_12m FROM crisk._broken_promises_12m(NULL, '2024-07-02') ORDER BY 1;
UPDATE crisk.account SET model = 'default' WHERE customer_id = 'P2';
DELETE FROM crisk.scorecard WHERE model = 'collections';

-- The contact log.
INSERT INTO crisk.contact (customer_id, at, channel, note) VALUES
    ('P1', '2024-06-20 10:15+00', 'phone', 'Accounts payable promise to pay P1-B by 28 June.'),
    ('P1', '2024-07-02 09:00+00', 'email', 'Reminder of the broken promise.');
\set VERBOSITY terse
INSERT INTO crisk.contact (customer_id, channel) VALUES ('P1', 'pigeon');
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY default
SELECT customer_id, at, channel, by = session_user AS by_me, note FROM crisk.contact ORDER BY contact_id;

-- The dossier holds the disputes, promises and contacts; the erasure takes
-- them away with the rest (rolled back: crisk.erasure_log keeps a row).
BEGIN;
SELECT t.key, jsonb_array_length(t.value) AS rows
FROM jsonb_each(crisk.customer_dossier('P1') -> 'tables') AS t
WHERE t.key IN ('crisk.contact', 'crisk.dispute', 'crisk.promise') ORDER BY t.key;
SELECT t.key, t.value FROM jsonb_each(crisk.forget_customer('P1')) AS t
WHERE t.key IN ('crisk.contact', 'crisk.dispute', 'crisk.promise') ORDER BY t.key;
SELECT (SELECT count(*) FROM crisk.dispute) AS disputes, (SELECT count(*) FROM crisk.promise) AS promises,
       (SELECT count(*) FROM crisk.contact) AS contacts;
ROLLBACK;

-- pg_dump keeps users' rows.
SELECT c.relname, e.cond
FROM pg_catalog.pg_extension x, unnest(x.extconfig, x.extcondition) AS e(relid, cond)
JOIN pg_catalog.pg_class c ON c.oid = e.relid
WHERE x.extname = 'crisk' AND c.relname ~ '^(dispute|promise|contact)' ORDER BY 1;

-- Clean up: the erasure leaves nothing of the three customers, history
-- included (crisk.erasure_log keeps three rows without their names).
RESET crisk.promise_grace_days;
SELECT count(*) AS erasures
FROM (SELECT crisk.forget_customer(c) FROM unnest(ARRAY['P1', 'P2', 'P3']) AS c) AS e;
SELECT (SELECT count(*) FROM crisk.score_history WHERE customer_id LIKE 'P%') AS history,
       (SELECT count(*) FROM crisk.limit_change WHERE customer_id LIKE 'P%') AS limit_changes,
       (SELECT count(*) FROM crisk.dunning_action WHERE customer_id LIKE 'P%') AS actions;
TRUNCATE crisk.job_run CASCADE;
TRUNCATE crisk.rescore_queue;
