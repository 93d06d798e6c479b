-- Alerts: one row per condition while it is unacknowledged, raised with
-- crisk.raise_alert() or INSERT ... ON CONFLICT DO NOTHING, closed with
-- crisk.acknowledge_alert().  (The notification on channel crisk_alert is
-- tested in test/t/040_alert_notify.pl: psql prints the sending backend's
-- PID with it.)  Everything is rolled back at the end; each error is
-- followed by its SQLSTATE.
BEGIN;
\set ON_ERROR_ROLLBACK on

CREATE TEMP VIEW alerts AS
    SELECT row_number() OVER (ORDER BY alert_id) AS n, kind, customer_id,
           condition_key, severity, message, run_id, acknowledged_at IS NOT NULL AS acknowledged,
           acknowledged_by = session_user AS by_me, acknowledgment_note
    FROM crisk.alert ORDER BY alert_id;

-- A downgrade to D for customer C1, raised by run 5: a new alert, with the
-- kind's default severity (warning).  Run 6 finds the same condition while
-- it is still open: nothing new (NULL).
SELECT crisk.raise_alert('downgrade', 'C1', 'D', 'C1 downgraded from C to D', run_id => 5) IS NOT NULL AS raised;
SELECT crisk.raise_alert('downgrade', 'C1', 'D', 'C1 downgraded from C to D', run_id => 6) IS NOT NULL AS raised;
-- Another condition of the same kind (a further fall, to E), of another
-- kind, or for another customer is raised.
SELECT crisk.raise_alert('downgrade', 'C1', 'E', 'C1 downgraded from D to E', 'critical') IS NOT NULL AS raised;
SELECT crisk.raise_alert('overdue_90', 'C1', 'F-2024-118', 'invoice F-2024-118 is 91 days past due') IS NOT NULL AS raised;
SELECT crisk.raise_alert('downgrade', 'C2', 'D', 'C2 downgraded from C to D') IS NOT NULL AS raised;
-- Portfolio alerts have no customer; they are deduplicated all the same.
SELECT crisk.raise_alert('limit_breach', NULL, '', 'portfolio exposure above the insured total') IS NOT NULL AS raised;
SELECT crisk.raise_alert('limit_breach', NULL, NULL, 'portfolio exposure above the insured total') IS NOT NULL AS raised;
-- The worker's set-based way gives the same result.
INSERT INTO crisk.alert (kind, customer_id, condition_key, severity, message)
VALUES ('downgrade', 'C1', 'D', 'warning', 'C1 downgraded from C to D'),
       ('legal_event', 'C3', 'event 17', 'critical', 'receivership opened for C3')
ON CONFLICT (kind, customer_id, condition_key) WHERE acknowledged_at IS NULL DO NOTHING;
SELECT * FROM alerts;

-- Acknowledging closes the alert (true); a second time does nothing (false).
SELECT crisk.acknowledge_alert(min(alert_id), 'called the customer, payment plan agreed')
FROM crisk.alert WHERE kind = 'downgrade' AND customer_id = 'C1' AND condition_key = 'D';
SELECT crisk.acknowledge_alert(min(alert_id))
FROM crisk.alert WHERE kind = 'downgrade' AND customer_id = 'C1' AND condition_key = 'D';
-- Once acknowledged, the condition may be raised again when it recurs.
SELECT crisk.raise_alert('downgrade', 'C1', 'D', 'C1 downgraded from C to D again', run_id => 9) IS NOT NULL AS raised;
SELECT * FROM alerts;

-- Bad input.
SELECT crisk.raise_alert('no_such_kind', 'C1', '', 'x');
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.raise_alert('downgrade', 'C1', '', 'x', 'urgent');
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.raise_alert(NULL, 'C1', '', 'x');
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.raise_alert('downgrade', 'C1', '', NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.acknowledge_alert(NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.acknowledge_alert(-1);
\echo :LAST_ERROR_SQLSTATE
-- (terse: the failing row would show the time)
\set VERBOSITY terse
INSERT INTO crisk.alert (kind, severity, message) VALUES ('downgrade', 'urgent', 'x');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO crisk.alert (kind, severity, message) VALUES ('no_such_kind', 'info', 'x');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO crisk.alert (kind, severity, message, acknowledged_at) VALUES ('downgrade', 'info', 'x', now());
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY default
-- The vocabulary of kinds is crisk's: a change would not survive a dump.
INSERT INTO crisk.alert_kind VALUES ('my_kind', 'mine', 'info');
\echo :LAST_ERROR_SQLSTATE
UPDATE crisk.alert_kind SET default_severity = 'info' WHERE kind = 'downgrade';
\echo :LAST_ERROR_SQLSTATE
DELETE FROM crisk.alert_kind WHERE kind = 'downgrade';
\echo :LAST_ERROR_SQLSTATE
TRUNCATE crisk.alert_kind CASCADE;
\echo :LAST_ERROR_SQLSTATE
SELECT kind, default_severity FROM crisk.alert_kind ORDER BY kind;

ROLLBACK;
