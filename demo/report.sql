-- demo/report.sql: the credit manager's morning report, from crisk's views
-- and result tables.  scripts/demo prints it after the worker's full pass;
-- run it yourself with  psql -f demo/report.sql  on any crisk database.
--
-- Sections (scripts/test checks each one is there and not empty):
-- portfolio KPIs, aged balance, ten riskiest customers, limit changes,
-- alerts, dunning worklist, and the collector's morning: letters to send,
-- promises to pay, disputes open.

\set ON_ERROR_STOP on
\pset footer off
\pset null '-'

\echo
\echo '== Portfolio KPIs =='
SELECT to_char(k.receivables, 'FM999G999G999G990D00') AS "receivables",
       to_char(k.overdue_amount, 'FM999G999G999G990D00') AS "overdue",
       to_char(100 * k.overdue_share, 'FM990D0') || ' %' AS "overdue share",
       k.dso AS "DSO (days)",
       k.best_possible_dso AS "BPDSO (days)",
       k.average_days_delinquent AS "ADD (days)",
       round(k.concentration_hhi::numeric, 4) AS "HHI",
       to_char(k.expected_credit_loss, 'FM999G999G999G990D00') AS "expected credit loss"
FROM crisk.portfolio_kpi AS k;

SELECT k.customers AS "customers",
       k.customers_class_a AS "A", k.customers_class_b AS "B",
       k.customers_class_c AS "C", k.customers_class_d AS "D",
       k.customers_class_e AS "E"
FROM crisk.portfolio_kpi AS k;

\echo
\echo '== Aged balance =='
WITH buckets AS (
    SELECT sum(current_amount) AS current_amount, sum(days_1_30) AS days_1_30,
           sum(days_31_60) AS days_31_60, sum(days_61_90) AS days_61_90,
           sum(days_over_90) AS days_over_90, sum(unapplied_credits) AS unapplied_credits,
           sum(total_open) AS total_open, count(*) AS customers
    FROM crisk.aged_balance
)
SELECT bucket AS "bucket",
       to_char(amount, 'FM999G999G999G990D00') AS "open amount",
       to_char(100 * amount / nullif(total_open, 0), 'FM990D0') || ' %' AS "share"
FROM buckets,
     LATERAL (VALUES (1, 'not yet due', current_amount), (2, '1-30 days', days_1_30),
                     (3, '31-60 days', days_31_60), (4, '61-90 days', days_61_90),
                     (5, 'over 90 days', days_over_90),
                     (6, 'unapplied credit notes', unapplied_credits),
                     (7, 'total (' || customers || ' customers)', total_open))
         AS b(position, bucket, amount)
ORDER BY position;

\echo
\echo '== Ten riskiest customers =='
SELECT s.customer_id AS "customer", a.name AS "name", s.score AS "score",
       s.risk_class AS "class",
       to_char(s.open_amount, 'FM999G999G990D00') AS "open",
       to_char(s.credit_limit_after, 'FM999G999G990') AS "limit",
       (SELECT string_agg(format('%s %s (%s/%s)', r->>'characteristic',
                                 coalesce(round((r->>'value')::numeric, 2)::text, 'unknown'),
                                 r->>'points', r->>'max_points'), ', '
                          ORDER BY (r->>'max_points')::int - (r->>'points')::int DESC)
        FROM (SELECT r FROM jsonb_array_elements(s.reasons) AS r
              ORDER BY (r->>'max_points')::int - (r->>'points')::int DESC
              LIMIT 3) AS worst) AS "main reasons (points earned / possible)"
FROM crisk.score AS s
JOIN crisk.account AS a USING (customer_id)
ORDER BY s.score, s.open_amount DESC, s.customer_id
LIMIT 10;

\echo
\echo '== Credit limits changed by rescoring =='
SELECT count(*) FILTER (WHERE new_limit > old_limit) AS "raised",
       count(*) FILTER (WHERE new_limit < old_limit) AS "lowered",
       count(*) FILTER (WHERE old_limit IS NULL) AS "first limits",
       to_char(sum(new_limit - coalesce(old_limit, 0)), 'FMS999G999G999G990') AS "net change"
FROM crisk.limit_change
WHERE run_id IS NOT NULL;

SELECT c.customer_id AS "customer", a.name AS "name",
       coalesce(to_char(c.old_limit, 'FM999G999G990'), 'none') AS "old limit",
       to_char(c.new_limit, 'FM999G999G990') AS "new limit",
       c.reason AS "why"
FROM crisk.limit_change AS c
JOIN crisk.account AS a USING (customer_id)
WHERE c.run_id IS NOT NULL
ORDER BY abs(c.new_limit - coalesce(c.old_limit, 0)) DESC, c.customer_id
LIMIT 5;

\echo
\echo '== Alerts raised (unacknowledged) =='
SELECT kind AS "kind", severity AS "severity", count(*) AS "alerts"
FROM crisk.alert
WHERE acknowledged_at IS NULL
GROUP BY kind, severity
ORDER BY severity = 'critical' DESC, count(*) DESC, kind;

SELECT customer_id AS "customer", kind AS "kind", message AS "message"
FROM crisk.alert
WHERE acknowledged_at IS NULL AND severity = 'critical'
ORDER BY raised_at DESC, alert_id DESC
LIMIT 5;

\echo
\echo '== Dunning worklist (first 10 of today''s actions) =='
SELECT w.customer_id AS "customer", w.invoice_id AS "invoice",
       to_char(w.amount, 'FM999G999G990D00') AS "amount",
       w.days_past_due AS "days late", w.dunning_level AS "level", w.action AS "action",
       to_char(w.late_payment_interest, 'FM999G990D00') AS "interest",
       to_char(w.recovery_indemnity, 'FM990D00') AS "indemnity"
FROM crisk.dunning_worklist AS w
ORDER BY w.dunning_level DESC, w.amount DESC, w.invoice_id
LIMIT 10;

SELECT count(*) AS "actions due today",
       to_char(sum(amount), 'FM999G999G999G990D00') AS "amount concerned"
FROM crisk.dunning_worklist;

\echo
\echo '== Letters to send today, by level =='
SELECT l.level AS "level", l.action AS "action", count(*) AS "letters",
       sum(l.invoices) AS "invoices",
       to_char(sum(l.amount_due), 'FM999G999G990D00') AS "amount due",
       to_char(sum(l.interest), 'FM999G990D00') AS "interest",
       to_char(sum(l.indemnity), 'FM999G990D00') AS "indemnities"
FROM crisk.dunning_letters AS l
GROUP BY l.level, l.action
ORDER BY l.level DESC;

SELECT l.customer_id AS "customer", coalesce(l.name, l.customer_id) AS "name", l.level AS "level",
       l.language AS "language", l.invoices AS "invoices",
       to_char(l.total_due, 'FM999G999G990D00') AS "total due", l.subject AS "subject"
FROM crisk.dunning_letters AS l
ORDER BY l.level DESC, l.total_due DESC, l.customer_id
LIMIT 5;

\echo
\echo '== Promises to pay =='
SELECT p.status AS "status", count(*) AS "promises",
       to_char(sum(p.amount), 'FM999G999G990D00') AS "amount promised"
FROM crisk.promise_status AS p
GROUP BY p.status
ORDER BY p.status;

SELECT p.customer_id AS "customer", array_to_string(p.invoice_ids, ', ') AS "invoices",
       to_char(p.amount, 'FM999G999G990D00') AS "amount", p.due_on AS "due on",
       p.grace_until AS "grace until", p.status AS "status"
FROM crisk.promise_status AS p
WHERE p.status <> 'kept'
ORDER BY p.status = 'broken' DESC, p.due_on, p.promise_id
LIMIT 5;

\echo
\echo '== Disputes open =='
SELECT count(*) AS "disputes", count(DISTINCT d.customer_id) AS "customers",
       to_char(sum(d.amount), 'FM999G999G990D00') AS "amount disputed",
       min(d.opened_on) AS "oldest"
FROM crisk.dispute AS d
WHERE d.resolved_on IS NULL;

SELECT d.customer_id AS "customer", d.invoice_id AS "invoice",
       to_char(d.amount, 'FM999G999G990D00') AS "amount", d.opened_on AS "opened on",
       d.reason AS "reason"
FROM crisk.dispute AS d
WHERE d.resolved_on IS NULL
ORDER BY d.opened_on, d.dispute_id
LIMIT 5;
