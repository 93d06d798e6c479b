-- Limits that behave (SPEC 5.1), checked as properties over a generated
-- portfolio and over a grid of inputs, and on a few customers worked out
-- by hand:
--   (a) passes on unchanged data with the same as_of change nothing and
--       raise nothing once the first has run;
--   (b) the limit is non-decreasing in the score, positive when the target
--       is, and never above the insured cover;
--   (c) however many passes run within review_days, a limit rises at most
--       by max_increase over the lowest limit in force in the window;
--   (d) no alert, overdue figure or dunning action concerns a credit note.
-- Everything is rolled back at the end.
-- (b) Over a grid of scores 0 to 100, monthly sales (small ones too),
-- payment terms, insured covers, current limits and review-window bases,
-- with the default policy: count the steps where a better score gets a
-- lower limit, the limits of 0 where the score's class has a positive
-- target, and the limits above the cover.
WITH grid AS (
    SELECT score, monthly, terms, cover, current_limit, base,
           crisk.recalibrated_limit(current_limit, score, monthly, cover, 'default', terms, base) AS new_limit
    FROM generate_series(0, 100) AS score,
         unnest(ARRAY[0, 0.01, 1, 3, 45, 450, 3650, 36500, 1000000]::numeric[]) AS monthly,
         unnest(ARRAY[NULL, 0, 30, 60, 90]::int[]) AS terms,
         unnest(ARRAY[NULL, 0, 500, 100000]::numeric[]) AS cover,
         unnest(ARRAY[NULL, 0, 1000, 100000]::numeric[]) AS current_limit,
         unnest(ARRAY[NULL, 500]::numeric[]) AS base
), checked AS (
    SELECT g.*,
           least(round(g.monthly * 12 * (COALESCE(g.terms, p.default_terms_days) + p.tolerance_days)
                       * p.class_factor / 365, 2), g.cover) AS target,
           lag(g.new_limit) OVER (PARTITION BY g.monthly, g.terms, g.cover, g.current_limit, g.base
                                  ORDER BY g.score) AS worse_score_limit
    FROM grid g
    JOIN crisk.limit_policy p ON p.policy = 'default' AND p.risk_class = crisk.risk_class(g.score)
)
SELECT count(*) AS grid_points,
       count(*) FILTER (WHERE new_limit < worse_score_limit) AS lower_for_better_score,
       count(*) FILTER (WHERE target > 0 AND new_limit = 0) AS zero_for_positive_target,
       count(*) FILTER (WHERE new_limit > cover) AS above_cover,
       count(*) FILTER (WHERE new_limit IS NULL) AS null_limits,
       count(DISTINCT new_limit) > 50 AS varied
FROM checked;

BEGIN;
\set ON_ERROR_ROLLBACK on

-- 300 customers: payment terms of 30, 45, 60 days or none; limits from
-- none to large; some insured; habits from early to very late; every 7th
-- has a credit note open long past due, every 11th only credit notes open.
INSERT INTO crisk.account (customer_id, name, credit_limit, payment_terms_days, insured_cover)
SELECT 'P' || lpad(k::text, 3, '0'), 'Customer ' || k,
       CASE k % 5 WHEN 0 THEN NULL WHEN 1 THEN 0 WHEN 2 THEN 5000 WHEN 3 THEN 40000 ELSE 250000 END,
       CASE k % 4 WHEN 0 THEN NULL WHEN 1 THEN 30 WHEN 2 THEN 45 ELSE 60 END,
       CASE WHEN k % 6 = 0 THEN 30000 END
FROM generate_series(1, 300) AS k;
-- An established portfolio: the limits were set a year ago.
ALTER TABLE crisk.limit_change DISABLE TRIGGER limit_change_append_only;
UPDATE crisk.limit_change SET changed_at = changed_at - interval '1 year';
ALTER TABLE crisk.limit_change ENABLE TRIGGER limit_change_append_only;
-- Monthly invoices over 18 months, 200 to 60 000 each; paid k % 9 x 8 - 8
-- days after the due date (early to 56 days late); the last five months
-- of every 4th customer are open.
INSERT INTO crisk.invoice (invoice_id, customer_id, amount, issue_date, due_date, paid_date)
SELECT 'P' || lpad(k::text, 3, '0') || '-' || m, 'P' || lpad(k::text, 3, '0'),
       (200 + (k * 37 % 300) * 200)::numeric,
       date '2025-01-10' + m * 30, date '2025-01-10' + m * 30 + COALESCE(NULLIF(k % 4, 0) * 15 + 15, 45),
       CASE WHEN k % 4 = 0 AND m >= 13 THEN NULL
            ELSE date '2025-01-10' + m * 30 + COALESCE(NULLIF(k % 4, 0) * 15 + 15, 45) + (k % 9) * 8 - 8 END
FROM generate_series(1, 300) AS k, generate_series(0, 17) AS m;
INSERT INTO crisk.invoice (invoice_id, customer_id, amount, issue_date, due_date, paid_date)
SELECT 'P' || lpad(k::text, 3, '0') || '-CN', 'P' || lpad(k::text, 3, '0'), -300,
       date '2025-09-01', date '2025-10-01', NULL
FROM generate_series(7, 300, 7) AS k;
-- Every 11th customer has paid every invoice: only its credit note (if
-- any) stays open.
UPDATE crisk.invoice SET paid_date = due_date
WHERE paid_date IS NULL AND amount > 0 AND substr(customer_id, 2)::int % 11 = 0;
-- A receivership on every 50th customer, 400 days before as_of (still in
-- force: receivership has no end), and a pledge long expired on every 30th.
INSERT INTO crisk.event (customer_id, kind, occurred_on)
SELECT 'P' || lpad(k::text, 3, '0'), 'receivership', date '2026-07-31' - 400
FROM generate_series(50, 300, 50) AS k;
INSERT INTO crisk.event (customer_id, kind, occurred_on)
SELECT 'P' || lpad(k::text, 3, '0'), 'pledge', date '2024-01-15'
FROM generate_series(30, 300, 30) AS k;

-- The first pass.
SELECT crisk.rescore(NULL, '2026-07-31') AS scored;

-- (a) Three more passes as of the same date: no limit, score, class or
-- history row changes, no alert, no limit change.
CREATE TEMP TABLE after_first AS
SELECT s.customer_id, s.score, s.risk_class, s.utilization, s.recommended_limit,
       s.credit_limit_before, s.credit_limit_after, a.credit_limit
FROM crisk.score s JOIN crisk.account a USING (customer_id);
CREATE TEMP TABLE counts_first AS
SELECT (SELECT count(*) FROM crisk.alert) AS alerts,
       (SELECT count(*) FROM crisk.limit_change) AS limit_changes,
       (SELECT count(*) FROM crisk.score_history) AS history;
SELECT crisk.rescore(NULL, '2026-07-31') AS second;
SELECT crisk.rescore(NULL, '2026-07-31') AS third;
SELECT crisk.rescore(NULL, '2026-07-31') AS fourth;
SELECT count(*) AS customers,
       count(*) FILTER (WHERE (f.score, f.risk_class, f.utilization, f.recommended_limit,
                               f.credit_limit_before, f.credit_limit_after, f.credit_limit)
                              IS DISTINCT FROM
                              (s.score, s.risk_class, s.utilization, s.recommended_limit,
                               s.credit_limit_before, s.credit_limit_after, a.credit_limit)) AS changed
FROM after_first f JOIN crisk.score s USING (customer_id) JOIN crisk.account a USING (customer_id);
SELECT c.alerts = (SELECT count(*) FROM crisk.alert) AS no_new_alert,
       c.limit_changes = (SELECT count(*) FROM crisk.limit_change) AS no_new_limit_change,
       c.history = (SELECT count(*) FROM crisk.score_history) AS no_new_history
FROM counts_first c;
-- The passes did change limits the first time, and measured utilization
-- against the limit in force before it.
SELECT count(*) FILTER (WHERE credit_limit_before IS DISTINCT FROM credit_limit_after) > 50 AS first_pass_changed_limits,
       count(*) FILTER (WHERE credit_limit_before > 0
                          AND abs(utilization - open_amount / credit_limit_before) > 1e-9) AS utilization_off
FROM crisk.score;

-- (b) New accounts got a limit: their class's initial limit at most
-- (capped by the target), above 0 unless their class is E.
SELECT s.risk_class, count(*) AS new_accounts,
       count(*) FILTER (WHERE s.credit_limit_after IS NULL) AS still_without,
       count(*) FILTER (WHERE s.credit_limit_after > p.initial_limit) AS above_initial,
       count(*) FILTER (WHERE s.credit_limit_after > 0) AS positive
FROM crisk.score s JOIN after_first f USING (customer_id)
JOIN crisk.limit_policy p ON p.policy = s.policy AND p.risk_class = s.risk_class
WHERE f.credit_limit_before IS NULL
GROUP BY s.risk_class ORDER BY s.risk_class;
SELECT count(*) AS class_e, count(*) FILTER (WHERE credit_limit_after = 0) AS zero_limit,
       count(*) FILTER (WHERE customer_id IN (SELECT customer_id FROM crisk.event WHERE kind = 'receivership')) AS in_receivership
FROM crisk.score WHERE risk_class = 'E';
-- Receivership caps the class at E whatever the score, the limit is 0 and
-- orders are blocked with nothing available.
SELECT s.customer_id, s.score >= 20 AS score_above_e, s.risk_class, s.credit_limit_after,
       (crisk.check_order(s.customer_id, 100)).decision,
       (crisk.check_order(s.customer_id, 100)).available_credit
FROM crisk.score s
WHERE s.customer_id IN (SELECT customer_id FROM crisk.event WHERE kind = 'receivership')
ORDER BY s.customer_id;

-- (d) No alert concerns a credit note or a customer who owes nothing; no
-- overdue figure counts a credit note; no dunning action concerns one.
-- A full pass alerts invoices as they pass 90 days; a pass for given
-- customers looks at every open one, credit notes 300 days old included.
SELECT crisk.rescore(ARRAY(SELECT customer_id FROM crisk.account), '2026-07-31') AS thorough;
SELECT count(*) > 0 AS overdue_alerts,
       count(*) FILTER (WHERE i.amount <= 0) AS on_credit_notes
FROM crisk.alert a JOIN crisk.invoice i ON i.invoice_id = a.condition_key
WHERE a.kind = 'overdue_90';
SELECT count(*) > 0 AS pattern_alerts,
       count(*) FILTER (WHERE s.open_amount <= 0 OR NOT EXISTS (
           SELECT FROM crisk.invoice i
           WHERE i.customer_id = a.customer_id AND i.amount > 0
             AND i.due_date::text = a.condition_key AND i.paid_date IS NULL)) AS not_on_a_debit
FROM crisk.alert a JOIN crisk.score s USING (customer_id)
WHERE a.kind = 'payment_pattern';
SELECT count(*) FILTER (WHERE s.overdue_amount <> COALESCE(o.overdue, 0)) AS overdue_counting_credit_notes
FROM crisk.score s
LEFT JOIN (SELECT customer_id, sum(amount) AS overdue FROM crisk.invoice
           WHERE amount > 0 AND due_date < '2026-07-31'
             AND (paid_date IS NULL OR paid_date > '2026-07-31')
           GROUP BY customer_id) o USING (customer_id);
SELECT count(*) AS credit_note_actions
FROM crisk.dunning_worklist_at('2026-07-31') w WHERE w.amount <= 0;

-- Limit breaches: beyond the policy's tolerance only, each naming the
-- amount over.
SELECT count(*) > 0 AS breaches,
       count(*) FILTER (WHERE (a.detail->>'open_amount')::numeric
                              <= (a.detail->>'credit_limit')::numeric * 1.10) AS within_tolerance,
       count(*) FILTER (WHERE a.message NOT LIKE '% by ' || ((a.detail->>'open_amount')::numeric
                                                            - (a.detail->>'credit_limit')::numeric)) AS no_amount_over
FROM crisk.alert a WHERE a.kind = 'limit_breach';

-- (c) Passes on the following days, as the worker would run them: the
-- ledger does not change, the review window (30 days, counted in real
-- time) does not end, so no limit rises beyond max_increase over the
-- lowest limit it had since the first pass (the one in force before it
-- included).  Limits that started at none or 0 may only reach the
-- initial limit (checked above).
-- (One pass per statement: a statement sees the changes of the previous
-- ones.)
DO $$
BEGIN
    FOR d IN 1..10 LOOP
        PERFORM crisk.rescore(NULL, '2026-07-31'::date + d);
    END LOOP;
END
$$;
SELECT count(*) AS customers,
       count(*) FILTER (WHERE a.credit_limit > f.lowest * (1 + p.max_increase)) AS above_cap
FROM crisk.account a
JOIN crisk.score s USING (customer_id)
JOIN crisk.limit_policy p ON p.policy = a.policy AND p.risk_class = s.risk_class
JOIN (SELECT customer_id, min(least(old_limit, new_limit)) AS lowest,
             count(*) FILTER (WHERE run_id IS NOT NULL AND new_limit > old_limit) AS rises,
             bool_or(run_id IS NOT NULL AND old_limit IS NULL) AS first_limit_in_window
      FROM crisk.limit_change GROUP BY customer_id) f USING (customer_id)
WHERE f.lowest > 0 AND f.rises > 0 AND NOT f.first_limit_in_window;

-- A limit locked by hand stays as it is, yet nothing is available to a
-- customer in receivership (0.1.0 showed the limit less the exposure).
SELECT crisk.set_credit_limit('P100', 50000, 'agreed with the credit insurer');
SELECT crisk.set_limit_locked('P100', true, 'agreed with the credit insurer');
SELECT a.credit_limit, o.decision, o.available_credit
FROM crisk.account a, crisk.check_order('P100', 100) o
WHERE a.customer_id = 'P100';

ROLLBACK;

-- By hand: one class-A customer, paying on its 30-day terms, 36 500 a
-- month (1 200 a day) for a year, limit 40 000, and a credit note of -300
-- open for a year.
BEGIN;
\set ON_ERROR_ROLLBACK on
INSERT INTO crisk.account (customer_id, name, credit_limit, payment_terms_days, customer_since)
VALUES ('H1', 'Hand SA', 40000, 30, '2020-01-01');
INSERT INTO crisk.financials (customer_id, fiscal_year_end, working_capital, retained_earnings,
                              ebit, equity, total_liabilities, total_assets, sales)
VALUES ('H1', '2025-12-31', 400000, 600000, 300000, 900000, 600000, 1500000, 3000000);
INSERT INTO crisk.invoice (invoice_id, customer_id, amount, issue_date, due_date, paid_date)
SELECT 'H1-' || m, 'H1', 36500, date '2025-08-01' + m * 30, date '2025-08-01' + m * 30 + 30,
       date '2025-08-01' + m * 30 + 30
FROM generate_series(0, 11) AS m
UNION ALL
SELECT 'H1-CN', 'H1', -300, '2025-07-01', '2025-07-31', NULL;
-- An established account: its limit was set long ago.
ALTER TABLE crisk.limit_change DISABLE TRIGGER limit_change_append_only;
UPDATE crisk.limit_change SET changed_at = changed_at - interval '1 year';
ALTER TABLE crisk.limit_change ENABLE TRIGGER limit_change_append_only;
-- Sales window 2025-07-31 to 2026-07-31 (365 days, the relationship
-- covers it): 12 x 36 500 / 365 = 1 200 a day.  Class A target:
-- 1 200 x (30 + 45) x 1.5 = 135 000; the first pass may raise the limit
-- to 40 000 x 1.5 = 60 000.  The credit note is open, not overdue.
SELECT crisk.rescore(ARRAY['H1'], '2026-07-31');
SELECT risk_class, credit_limit_before, recommended_limit, credit_limit_after,
       open_amount, overdue_amount
FROM crisk.score;
-- Five more passes on the next days: the window's lowest limit is still
-- 40 000, so the limit stays at 60 000 (the target falls to 123 750 as the
-- August 2025 invoice leaves the sales window, still above it).
DO $$
BEGIN
    FOR d IN 1..5 LOOP
        PERFORM crisk.rescore(ARRAY['H1'], '2026-07-31'::date + d);
    END LOOP;
END
$$;
SELECT credit_limit FROM crisk.account;
SELECT old_limit, new_limit, regexp_replace(reason, 'run \d+', 'run N') AS reason
FROM crisk.limit_change WHERE run_id IS NOT NULL ORDER BY change_id;
-- Once the change lies further back than review_days (here: as if it had
-- been made 31 days ago), a pass may raise the limit again, to
-- 60 000 x 1.5 = 90 000.
ALTER TABLE crisk.limit_change DISABLE TRIGGER limit_change_append_only;
UPDATE crisk.limit_change SET changed_at = changed_at - interval '31 days';
ALTER TABLE crisk.limit_change ENABLE TRIGGER limit_change_append_only;
SELECT crisk.rescore(ARRAY['H1'], '2026-07-31');
SELECT credit_limit FROM crisk.account;
-- A year-old credit note raised no alert.
SELECT count(*) AS alerts FROM crisk.alert;

-- Limit breaches beyond the 10 % tolerance only: locked limits of 1 000,
-- invoices not yet due of 1 050 (within) and 1 200 (200 over).
INSERT INTO crisk.account (customer_id, name, credit_limit, limit_locked, payment_terms_days)
VALUES ('H2', 'Within SARL', 1000, true, 30), ('H3', 'Beyond SARL', 1000, true, 30);
INSERT INTO crisk.invoice (invoice_id, customer_id, amount, issue_date, due_date, paid_date)
VALUES ('H2-1', 'H2', 1050, '2026-07-20', '2026-08-19', NULL),
       ('H3-1', 'H3', 1200, '2026-07-20', '2026-08-19', NULL);
SELECT crisk.rescore(ARRAY['H2', 'H3'], '2026-07-31');
SELECT customer_id, kind, message FROM crisk.alert WHERE kind = 'limit_breach' ORDER BY customer_id;
-- Again: the breach is not new, nothing is raised.
SELECT crisk.rescore(ARRAY['H2', 'H3'], '2026-08-01');
SELECT count(*) AS breach_alerts FROM crisk.alert WHERE kind = 'limit_breach';
ROLLBACK;
