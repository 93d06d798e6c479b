-- demo/report.sql: the credit manager's morning report, from crisk's views
-- and result tables.  scripts/demo prints it after the worker's full pass;
-- run it yourself with  psql -f demo/report.sql  on any crisk database.
--
-- Sections (scripts/test checks each one is there and not empty): first
-- what a credit manager looks at first: portfolio KPIs, decisions checked,
-- class and limit changes since the previous pass and why, limit breaches
-- with the amount over, limits the policy proposes against those in force;
-- then the aged balance, ten riskiest customers, limit changes, alerts,
-- dunning worklist, and the collector's morning: letters to send, promises
-- to pay, disputes open.

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
\echo '== Decisions checked =='
-- What a credit manager checks first: how many customers with open items
-- are over their limit (beyond the policy's tolerance: a limit_breach),
-- that class E means no credit (a limit locked by hand excepted: the lock
-- keeps recalibration off it), and that every customer in receivership or
-- liquidation is blocked with no credit available (beyond its own credit
-- balance, if it has one).
WITH latest AS (
    SELECT s.*, a.blocked, p.breach_tolerance
    FROM crisk.score AS s
    JOIN crisk.account AS a USING (customer_id)
    JOIN crisk.limit_policy AS p ON p.policy = s.policy AND p.risk_class = s.risk_class
), insolvent AS (
    SELECT DISTINCT e.customer_id
    FROM crisk.event AS e
    WHERE e.kind IN ('receivership', 'liquidation') AND e.occurred_on <= current_date
), orders AS (
    SELECT i.customer_id, o.decision, o.available_credit,
           (SELECT coalesce(sum(l.amount), 0) FROM crisk.ledger AS l
            WHERE l.customer_id = i.customer_id
              AND (l.paid_date IS NULL OR l.paid_date > current_date)) AS exposure
    FROM insolvent AS i, LATERAL crisk.check_order(i.customer_id, 1) AS o
)
SELECT count(*) FILTER (WHERE open_amount > 0) AS "customers with open items",
       count(*) FILTER (WHERE open_amount > credit_limit_after * (1 + breach_tolerance)) AS "in breach",
       to_char(100.0 * count(*) FILTER (WHERE open_amount > credit_limit_after * (1 + breach_tolerance))
               / nullif(count(*) FILTER (WHERE open_amount > 0), 0), 'FM990D0') || ' %' AS "breach share",
       count(*) FILTER (WHERE risk_class = 'E') AS "class E",
       count(*) FILTER (WHERE risk_class = 'E' AND credit_limit_after > 0 AND NOT limit_locked) AS "class E with credit",
       count(*) FILTER (WHERE risk_class = 'E' AND credit_limit_after > 0 AND limit_locked) AS "class E locked",
       (SELECT count(*) FROM orders) AS "insolvent",
       (SELECT count(*) FROM orders
        WHERE decision <> 'block' OR available_credit > greatest(0, -exposure)) AS "insolvent not blocked"
FROM latest;

\echo
\echo '== Class and limit changes since the previous pass =='
-- Customers whose class or limit the latest pass changed, and why: the
-- class and score before and after, the limit before and after, the
-- reason the pass recorded for the limit (score, class, daily sales,
-- terms) and, for a class change, the characteristic whose points moved
-- most.  "Before" is the customer's latest score of an earlier pass.
CREATE TEMP TABLE report_changes AS
WITH last_run AS (
    SELECT max(run_id) AS run_id FROM crisk.score
), previous AS (
    SELECT DISTINCT ON (h.customer_id) h.customer_id, h.score, h.risk_class, h.reasons
    FROM crisk.score_history AS h, last_run AS l
    WHERE h.run_id < l.run_id
    ORDER BY h.customer_id, h.history_id DESC
), last_changes AS (
    SELECT DISTINCT ON (c.customer_id) c.customer_id, c.reason
    FROM crisk.limit_change AS c, last_run AS l
    WHERE c.run_id = l.run_id
    ORDER BY c.customer_id, c.change_id DESC
)
SELECT s.customer_id, p.score AS score_before, s.score, p.risk_class AS class_before, s.risk_class,
       s.credit_limit_before, s.credit_limit_after, c.reason AS limit_reason,
       (SELECT format('%s %s > %s (%s pts)', n.value->>'characteristic',
                      coalesce(round((o.value->>'value')::numeric, 2)::text, 'unknown'),
                      coalesce(round((n.value->>'value')::numeric, 2)::text, 'unknown'),
                      to_char((n.value->>'points')::int - (o.value->>'points')::int, 'FMS990'))
        FROM jsonb_array_elements(s.reasons) AS n(value)
        JOIN jsonb_array_elements(p.reasons) AS o(value)
          ON o.value->>'characteristic' = n.value->>'characteristic'
        WHERE n.value->>'points' <> o.value->>'points'
        ORDER BY abs((n.value->>'points')::int - (o.value->>'points')::int) DESC,
                 n.value->>'characteristic'
        LIMIT 1) AS class_reason
FROM crisk.score AS s
JOIN last_run AS l ON s.run_id = l.run_id
LEFT JOIN previous AS p USING (customer_id)
LEFT JOIN last_changes AS c USING (customer_id)
WHERE p.risk_class IS DISTINCT FROM s.risk_class
   OR s.credit_limit_before IS DISTINCT FROM s.credit_limit_after;

SELECT (SELECT count(*) FROM crisk.score
        WHERE run_id = (SELECT max(run_id) FROM crisk.score)) AS "scored by the pass",
       count(*) FILTER (WHERE class_before > risk_class) AS "upgraded",
       count(*) FILTER (WHERE class_before < risk_class) AS "downgraded",
       count(*) FILTER (WHERE class_before IS NULL) AS "first scored",
       count(*) FILTER (WHERE credit_limit_after > credit_limit_before) AS "limit raised",
       count(*) FILTER (WHERE credit_limit_after < credit_limit_before) AS "limit lowered",
       count(*) FILTER (WHERE credit_limit_before IS NULL AND credit_limit_after IS NOT NULL) AS "first limit"
FROM report_changes;

SELECT c.customer_id AS "customer",
       coalesce(c.class_before || ' ' || c.score_before, 'new') || ' > ' || c.risk_class || ' ' || c.score AS "class, score",
       coalesce(to_char(c.credit_limit_before, 'FM999G999G990'), 'none') || ' > '
           || coalesce(to_char(c.credit_limit_after, 'FM999G999G990'), 'none') AS "limit",
       concat_ws('; ',
                 CASE WHEN c.class_before IS DISTINCT FROM c.risk_class THEN c.class_reason END,
                 regexp_replace(c.limit_reason, '^recalibrated by rescoring run [0-9]+: ', ''),
                 CASE WHEN c.limit_reason IS NULL AND c.credit_limit_before IS DISTINCT FROM c.credit_limit_after
                      THEN 'limit changed by hand' END) AS "why"
FROM report_changes AS c
ORDER BY c.class_before IS DISTINCT FROM c.risk_class DESC,
         abs(coalesce(c.credit_limit_after, 0) - coalesce(c.credit_limit_before, 0)) DESC, c.customer_id
LIMIT 10;

\echo
\echo '== Limit breaches (beyond the policy''s tolerance) =='
-- Per class, then the largest: open receivables above the limit by more
-- than the policy's breach_tolerance, the amount over, and how much of the
-- open amount is overdue (a breach with nothing overdue is a customer
-- buying more than its limit allows, not one paying late).
SELECT s.risk_class AS "class", count(*) AS "in breach",
       count(*) FILTER (WHERE s.overdue_amount <= 0) AS "nothing overdue",
       to_char(sum(s.open_amount - s.credit_limit_after), 'FM999G999G999G990D00') AS "amount over"
FROM crisk.score AS s
JOIN crisk.limit_policy AS p ON p.policy = s.policy AND p.risk_class = s.risk_class
WHERE s.open_amount > s.credit_limit_after * (1 + p.breach_tolerance)
GROUP BY s.risk_class
ORDER BY s.risk_class;

SELECT s.customer_id AS "customer", a.name AS "name", s.risk_class AS "class",
       to_char(s.open_amount, 'FM999G999G990D00') AS "open",
       to_char(s.credit_limit_after, 'FM999G999G990') AS "limit",
       to_char(s.open_amount - s.credit_limit_after, 'FM999G999G990D00') AS "amount over",
       to_char(s.overdue_amount, 'FM999G999G990D00') AS "of it overdue"
FROM crisk.score AS s
JOIN crisk.account AS a USING (customer_id)
JOIN crisk.limit_policy AS p ON p.policy = s.policy AND p.risk_class = s.risk_class
WHERE s.open_amount > s.credit_limit_after * (1 + p.breach_tolerance)
ORDER BY s.open_amount - s.credit_limit_after DESC, s.customer_id
LIMIT 8;

\echo
\echo '== Limits the policy proposes against those in force =='
-- Per class: the limits in force, what the last pass recommended (the
-- policy's target within the review window's cap), and how many accounts
-- are locked or still below their recommendation.
SELECT s.risk_class AS "class", count(*) AS "customers",
       to_char(sum(s.credit_limit_after), 'FM999G999G999G990') AS "limits in force",
       to_char(sum(s.recommended_limit), 'FM999G999G999G990') AS "proposed",
       count(*) FILTER (WHERE s.limit_locked) AS "locked",
       count(*) FILTER (WHERE s.credit_limit_after < s.recommended_limit) AS "in force below proposal",
       count(*) FILTER (WHERE s.credit_limit_after > s.recommended_limit) AS "in force above proposal"
FROM crisk.score AS s
GROUP BY s.risk_class
ORDER BY s.risk_class;

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
-- Per status, with how many cover an invoice that is in today's
-- letters: none while a promise is pending (dunning pauses until its grace
-- date), again once it is broken, none once kept (paid).
WITH lettered AS MATERIALIZED (
    SELECT l.customer_id, i.invoice_id
    FROM crisk.dunning_letters AS l, unnest(l.invoice_ids) AS i(invoice_id)
)
SELECT p.status AS "status", count(*) AS "promises",
       to_char(sum(p.amount), 'FM999G999G990D00') AS "amount promised",
       count(*) FILTER (WHERE p.due_on BETWEEN current_date AND current_date + 7) AS "due this week",
       count(*) FILTER (WHERE EXISTS (SELECT FROM lettered AS l
                                      WHERE l.customer_id = p.customer_id
                                        AND l.invoice_id = ANY (p.invoice_ids))) AS "in today's letters"
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
-- The amount disputed is the aged balance's disputed column, added up;
-- disputed invoices are never in today's letters.
WITH lettered AS MATERIALIZED (
    SELECT l.customer_id, i.invoice_id
    FROM crisk.dunning_letters AS l, unnest(l.invoice_ids) AS i(invoice_id)
)
SELECT count(*) AS "disputes", count(DISTINCT d.customer_id) AS "customers",
       to_char(sum(d.amount), 'FM999G999G990D00') AS "amount disputed",
       to_char((SELECT sum(b.disputed) FROM crisk.aged_balance AS b), 'FM999G999G990D00') AS "in the aged balance",
       min(d.opened_on) AS "oldest",
       count(*) FILTER (WHERE EXISTS (SELECT FROM lettered AS l
                                      WHERE l.customer_id = d.customer_id
                                        AND l.invoice_id = d.invoice_id)) AS "in today's letters"
FROM crisk.dispute AS d
WHERE d.resolved_on IS NULL;

SELECT d.customer_id AS "customer", d.invoice_id AS "invoice",
       to_char(d.amount, 'FM999G999G990D00') AS "amount", d.opened_on AS "opened on",
       d.reason AS "reason"
FROM crisk.dispute AS d
WHERE d.resolved_on IS NULL
ORDER BY d.opened_on, d.dispute_id
LIMIT 5;

\echo
\echo '== Fitted model against the expert model =='
-- fitted_demo was fitted by scripts/demo on the customers of two years ago
-- (crisk.fit_scorecard); both models score the customers of one year ago,
-- whose outcome (bad within 12 months) is known today.
SELECT EXISTS (SELECT FROM crisk.model_fit WHERE model = 'fitted_demo')
       AND to_regclass('public.model_validation_sample') IS NOT NULL AS has_fitted_model \gset
\if :has_fitted_model
SELECT m.model AS "model", p.customers AS "customers",
       to_char(100 * p.bad_rate, 'FM990.0') || ' %' AS "went bad",
       to_char(p.auc, 'FM0.000') AS "AUC", to_char(p.gini, 'FM0.000') AS "Gini",
       to_char(p.ks, 'FM0.000') AS "KS",
       COALESCE(to_char(p.psi, 'FM0.000'), 'n/a') AS "PSI",
       COALESCE(to_char(100 * p.predicted_pd, 'FM990.0') || ' %', 'n/a') AS "predicted PD"
FROM (VALUES (1, 'fitted_demo'), (2, 'default')) AS m(n, model)
CROSS JOIN LATERAL crisk.model_performance(m.model, 'public.model_validation_sample') AS p
WHERE p.risk_class IS NULL
ORDER BY m.n;

SELECT f.risk_class AS "class", f.customers AS "customers (fitted)",
       COALESCE(to_char(100 * f.bad_rate, 'FM990.0') || ' %', 'none') AS "went bad (fitted)",
       COALESCE(to_char(100 * f.predicted_pd, 'FM990.0') || ' %', 'none') AS "predicted PD (fitted)",
       e.customers AS "customers (expert)",
       COALESCE(to_char(100 * e.bad_rate, 'FM990.0') || ' %', 'none') AS "went bad (expert)"
FROM crisk.model_performance('fitted_demo', 'public.model_validation_sample') AS f
JOIN crisk.model_performance('default', 'public.model_validation_sample') AS e USING (risk_class)
ORDER BY f.risk_class;
\else
\echo 'No fitted model (scripts/demo fits fitted_demo when it generates the portfolio).'
\endif
