-- Credit-limit changes and their audit trail: every change of
-- crisk.account.credit_limit or limit_locked, by a person or by a rescoring
-- run, through crisk.set_credit_limit()/set_limit_locked() or a direct
-- UPDATE, is logged in crisk.limit_change.  Everything is rolled back at
-- the end; each error is followed by its SQLSTATE.
BEGIN;
\set ON_ERROR_ROLLBACK on

-- The log as a BI user reads it; changed_at and changed_by are checked
-- against this transaction's start and login rather than printed.  The
-- changes of one rescoring run come in the order its UPDATE met the rows,
-- which depends on the plan: they are shown together, by customer.
CREATE TEMP VIEW changes AS
    SELECT row_number() OVER (ORDER BY c.first_of_run, c.customer_id) AS n,
           c.customer_id, c.old_limit, c.new_limit, c.old_locked, c.new_locked, c.run_id, c.reason,
           c.changed_at = transaction_timestamp() AS now, c.changed_by = session_user AS by_me
    FROM (SELECT l.*, min(l.change_id) OVER (PARTITION BY coalesce(l.run_id, -l.change_id)) AS first_of_run
          FROM crisk.limit_change l) c
    ORDER BY c.first_of_run, c.customer_id;

-- An account created with a limit or a lock logs it as a change from
-- nothing; one without either logs nothing.
INSERT INTO crisk.account (customer_id, credit_limit) VALUES ('A', 10000);
INSERT INTO crisk.account (customer_id, credit_limit, limit_reason) VALUES ('B', 5000, 'opening: insured 5 000');
INSERT INTO crisk.account (customer_id) VALUES ('C');
INSERT INTO crisk.account (customer_id, limit_locked, limit_reason) VALUES ('D', true, 'pending insurer decision');
SELECT * FROM changes;
SELECT customer_id, credit_limit, limit_locked, limit_reason, limit_run_id,
       limit_changed_at = transaction_timestamp() AS stamped_now, limit_changed_by = session_user AS by_me
FROM crisk.account ORDER BY customer_id;

-- A person sets a limit with a reason.
SELECT crisk.set_credit_limit('A', 12000, 'annual review: sales up 20%');
-- A direct UPDATE is logged too, with the reason given in the same UPDATE ...
UPDATE crisk.account SET credit_limit = 11000, limit_reason = 'insurer cut the cover' WHERE customer_id = 'A';
-- ... or without one: the previous reason does not carry over.
UPDATE crisk.account SET credit_limit = 10500 WHERE customer_id = 'A';
SELECT customer_id, credit_limit, limit_reason FROM crisk.account WHERE customer_id = 'A';
-- Setting the same amount (even written differently) is no change.
SELECT crisk.set_credit_limit('A', 10500.00, 'confirmed');
UPDATE crisk.account SET credit_limit = 10500.000 WHERE customer_id = 'A';
-- Other columns change without a log entry, and the stamp cannot be rewritten.
UPDATE crisk.account SET name = 'Alpha SA', limit_changed_by = 'someone else',
                         limit_changed_at = '2000-01-01', limit_reason = 'forged'
WHERE customer_id = 'A';
SELECT customer_id, name, credit_limit, limit_reason,
       limit_changed_by = session_user AS by_me, limit_changed_at = transaction_timestamp() AS stamped_now
FROM crisk.account WHERE customer_id = 'A';
-- Removing a limit is a change too.
UPDATE crisk.account SET credit_limit = NULL, limit_reason = 'account under review' WHERE customer_id = 'B';
SELECT * FROM changes;

-- A rescoring run changes limits set-based, giving its run id and reason
-- (test/sql/limit_audit.sql runs a real pass).  Only a pass may give a run
-- id: the same UPDATE by hand, as a run would write it, is refused, so that
-- no change by hand passes for a run's (terse: the customer named is
-- whichever row comes first) ...
SELECT crisk.set_limit_locked('B', true, 'limit agreed with the insurer');
\set VERBOSITY terse
UPDATE crisk.account a
   SET credit_limit = r.new_limit, limit_run_id = 42, limit_reason = r.reason
  FROM (VALUES ('A', 8000, 'recalibrated: class C, 2 months of sales'),
               ('B', 9000, 'recalibrated: class A, 3 months of sales'),
               ('C', 3000, 'recalibrated: new customer, initial limit')) AS r(customer_id, new_limit, reason)
 WHERE a.customer_id = r.customer_id AND NOT a.limit_locked
   AND a.credit_limit IS DISTINCT FROM r.new_limit;
\set VERBOSITY default
\echo :LAST_ERROR_SQLSTATE
-- ... even for a locked limit, which a run would not change either.
UPDATE crisk.account SET credit_limit = 9000, limit_run_id = 43, limit_reason = 'recalibrated' WHERE customer_id = 'B';
\echo :LAST_ERROR_SQLSTATE
-- A person may still change a locked limit: the lock only stops recalibration.
SELECT crisk.set_credit_limit('B', 7000, 'insurer raised the cover');
-- Unlocking is logged as well.
SELECT crisk.set_limit_locked('D', false, 'insurer decision received');
-- An ERP upserting its customer master logs one change, not two.
INSERT INTO crisk.account (customer_id, name, credit_limit) VALUES ('A', 'Alpha SA', 8500)
ON CONFLICT (customer_id) DO UPDATE SET name = excluded.name, credit_limit = excluded.credit_limit;
SELECT * FROM changes;
SELECT customer_id, credit_limit, limit_locked, limit_reason, limit_run_id FROM crisk.account ORDER BY customer_id;

-- A superuser restoring a dump inserts rows that already carry their stamp:
-- they are kept as they are and not logged again.
INSERT INTO crisk.account (customer_id, credit_limit, limit_reason, limit_run_id, limit_changed_at, limit_changed_by)
VALUES ('R', 4000, 'restored', 7, '2024-01-15 10:00:00+00', 'someone');
SELECT customer_id, credit_limit, limit_reason, limit_run_id, limit_changed_at, limit_changed_by
FROM crisk.account WHERE customer_id = 'R';
SELECT count(*) AS logged FROM crisk.limit_change WHERE customer_id = 'R';
-- Anyone else gets stamped and logged, whatever the row carries.
CREATE ROLE regress_crisk_clerk;
GRANT USAGE ON SCHEMA crisk TO regress_crisk_clerk;
GRANT INSERT ON crisk.account TO regress_crisk_clerk;
SET ROLE regress_crisk_clerk;
INSERT INTO crisk.account (customer_id, credit_limit, limit_changed_at, limit_changed_by)
VALUES ('S', 1000, '2024-01-15 10:00:00+00', 'someone');
RESET ROLE;
SELECT customer_id, limit_changed_at = transaction_timestamp() AS stamped_now, limit_changed_by = session_user AS by_me
FROM crisk.account WHERE customer_id = 'S';
SELECT count(*) AS logged FROM crisk.limit_change WHERE customer_id = 'S';
-- The clerk could not have written the audit trail directly.
SET ROLE regress_crisk_clerk;
INSERT INTO crisk.limit_change (customer_id, changed_at, new_limit, new_locked, changed_by)
VALUES ('S', now(), 1, false, 'x');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;

-- The audit trail is append-only.
UPDATE crisk.limit_change SET reason = 'rewritten';
\echo :LAST_ERROR_SQLSTATE
DELETE FROM crisk.limit_change WHERE customer_id = 'A';
\echo :LAST_ERROR_SQLSTATE
TRUNCATE crisk.limit_change;
\echo :LAST_ERROR_SQLSTATE

-- Bad input.
SELECT crisk.set_credit_limit(NULL, 1, 'x');
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.set_credit_limit('A', NULL, 'x');
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.set_credit_limit('A', -1, 'x');
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.set_credit_limit('A', 'NaN', 'x');
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.set_credit_limit('A', 'Infinity', 'x');
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.set_credit_limit('A', 1, NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.set_credit_limit('A', 1, '   ');
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.set_credit_limit('NOBODY', 1, 'x');
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.set_limit_locked(NULL, true, 'x');
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.set_limit_locked('A', NULL, 'x');
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.set_limit_locked('A', true, NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.set_limit_locked('A', true, '');
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.set_limit_locked('NOBODY', true, 'x');
\echo :LAST_ERROR_SQLSTATE
-- The account's own checks (terse: the failing row would show this
-- transaction's time and login).
\set VERBOSITY terse
UPDATE crisk.account SET credit_limit = -1 WHERE customer_id = 'A';
\echo :LAST_ERROR_SQLSTATE
UPDATE crisk.account SET credit_limit = 'NaN' WHERE customer_id = 'A';
\echo :LAST_ERROR_SQLSTATE
UPDATE crisk.account SET insured_cover = -1 WHERE customer_id = 'A';
\echo :LAST_ERROR_SQLSTATE
UPDATE crisk.account SET payment_terms_days = -30 WHERE customer_id = 'A';
\echo :LAST_ERROR_SQLSTATE
UPDATE crisk.account SET limit_locked = NULL WHERE customer_id = 'A';
\echo :LAST_ERROR_SQLSTATE
INSERT INTO crisk.account (customer_id) VALUES ('');
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY default
-- None of the failed statements logged anything.
SELECT count(*) AS changes FROM crisk.limit_change;

ROLLBACK;
