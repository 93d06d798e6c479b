-- Dunning policies: the shipped policy "default" and the policies users
-- add.  Everything is rolled back at the end; each error is followed by its
-- SQLSTATE.
BEGIN;
\set ON_ERROR_ROLLBACK on

-- The shipped policy: reminder at 7 days, second reminder at 21 (orders
-- reviewed), formal notice at 45 (orders blocked), litigation at 60.
SELECT policy, level, days_past_due, action, order_decision, shipped
FROM crisk.dunning_policy ORDER BY policy, level;

-- Users extend it after its last level ...
INSERT INTO crisk.dunning_policy (policy, level, days_past_due, action, description, order_decision)
VALUES ('default', 5, 120, 'write_off_review', 'Review for write-off and provision in full.', 'block');
-- ... and create policies of their own.
INSERT INTO crisk.dunning_policy (policy, level, days_past_due, action, description, order_decision)
SELECT 'public_sector', level, days_past_due * 2, action, description, NULL
FROM crisk.dunning_policy WHERE policy = 'default' AND level <= 3;
UPDATE crisk.dunning_policy SET description = 'Letter to the accounting officer (comptable public).'
WHERE policy = 'public_sector' AND level = 3;
INSERT INTO crisk.account (customer_id, dunning_policy) VALUES ('MAIRIE', 'public_sector');
SELECT policy, level, days_past_due, action, order_decision, shipped
FROM crisk.dunning_policy ORDER BY policy, level;

-- Shipped rows cannot change: pg_dump does not keep them.
UPDATE crisk.dunning_policy SET days_past_due = 10 WHERE policy = 'default' AND level = 1;
\echo :LAST_ERROR_SQLSTATE
DELETE FROM crisk.dunning_policy WHERE policy = 'default' AND level = 4;
\echo :LAST_ERROR_SQLSTATE
TRUNCATE crisk.dunning_policy;
\echo :LAST_ERROR_SQLSTATE
-- Nor can a user's row pass itself off as shipped.
INSERT INTO crisk.dunning_policy (policy, level, days_past_due, action, description, shipped)
VALUES ('mine', 1, 5, 'call', 'Call.', true);
\echo :LAST_ERROR_SQLSTATE
UPDATE crisk.dunning_policy SET shipped = true WHERE policy = 'public_sector' AND level = 1;
\echo :LAST_ERROR_SQLSTATE

-- Levels must follow their days past due.
INSERT INTO crisk.dunning_policy (policy, level, days_past_due, action, description)
VALUES ('default', 6, 90, 'call', 'Between litigation and write-off review?');
\echo :LAST_ERROR_SQLSTATE
UPDATE crisk.dunning_policy SET days_past_due = 200 WHERE policy = 'public_sector' AND level = 1;
\echo :LAST_ERROR_SQLSTATE
INSERT INTO crisk.dunning_policy (policy, level, days_past_due, action, description)
VALUES ('public_sector', 4, 42, 'call', 'Same day as level 2.');
\echo :LAST_ERROR_SQLSTATE
-- A policy in use keeps at least one level.
DELETE FROM crisk.dunning_policy WHERE policy = 'public_sector';
\echo :LAST_ERROR_SQLSTATE
UPDATE crisk.dunning_policy SET policy = 'state' WHERE policy = 'public_sector';
\echo :LAST_ERROR_SQLSTATE
-- Removing some of its levels is fine; so is removing an unused policy.
DELETE FROM crisk.dunning_policy WHERE policy = 'public_sector' AND level > 1;
DELETE FROM crisk.dunning_policy WHERE policy = 'default' AND NOT shipped;
SELECT policy, level, days_past_due FROM crisk.dunning_policy WHERE NOT shipped ORDER BY policy, level;
-- The table's checks.
INSERT INTO crisk.dunning_policy (policy, level, days_past_due, action, description)
VALUES ('mine', 0, 5, 'call', 'Call.');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO crisk.dunning_policy (policy, level, days_past_due, action, description)
VALUES ('mine', 1, 0, 'call', 'Call.');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO crisk.dunning_policy (policy, level, days_past_due, action, description, order_decision)
VALUES ('mine', 1, 5, 'call', 'Call.', 'approve');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO crisk.dunning_policy (policy, level, days_past_due, action, description)
VALUES ('mine', 1, 5, '', 'Call.');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO crisk.dunning_policy (policy, level, days_past_due, action, description)
VALUES ('', 1, 5, 'call', 'Call.');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO crisk.dunning_policy (policy, level, days_past_due, action, description)
VALUES ('public_sector', 1, 5, 'call', 'Call.');
\echo :LAST_ERROR_SQLSTATE

ROLLBACK;
