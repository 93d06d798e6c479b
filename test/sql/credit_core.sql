-- The credit core (src/credit_core.c) is one piece of code behind both the
-- SQL functions (altman_z, explain_score, credit_score, recalibrated_limit)
-- and the scoring step of a rescoring pass (crisk._rescore_compute, which
-- the pass calls in C).  Over a generated portfolio, every figure the step
-- gives must be what the SQL functions give for the same customer: the
-- Altman Z', the score and its reasons, the class and the recommended
-- limit.  Everything is rolled back at the end.
BEGIN;

-- 60 customers: limits from none to large, some insured, terms or none;
-- monthly invoices over 15 months, paid early to late, the last months of
-- every 4th customer open; balance sheets for every 3rd (a loss-making one
-- for every 9th, no liabilities for every 27th), legal events for a few.
INSERT INTO crisk.account (customer_id, name, credit_limit, payment_terms_days, insured_cover)
SELECT 'K' || lpad(k::text, 2, '0'), 'Customer ' || k,
       CASE k % 5 WHEN 0 THEN NULL WHEN 1 THEN 0 WHEN 2 THEN 5000 WHEN 3 THEN 40000 ELSE 250000 END,
       CASE k % 4 WHEN 0 THEN NULL WHEN 1 THEN 30 WHEN 2 THEN 45 ELSE 60 END,
       CASE WHEN k % 6 = 0 THEN 30000 END
FROM generate_series(1, 60) AS k;
INSERT INTO crisk.invoice (invoice_id, customer_id, amount, issue_date, due_date, paid_date)
SELECT 'K' || lpad(k::text, 2, '0') || '-' || m, 'K' || lpad(k::text, 2, '0'),
       (150 + (k * 37 % 300) * 175)::numeric + 0.35,
       date '2025-05-10' + m * 30, date '2025-05-10' + m * 30 + 30,
       CASE WHEN k % 4 = 0 AND m >= 12 THEN NULL
            ELSE date '2025-05-10' + m * 30 + 30 + (k % 9) * 8 - 8 END
FROM generate_series(1, 60) AS k, generate_series(0, 14) AS m
WHERE k % 10 <> 7;            -- every 10th from 7 has no invoice at all
INSERT INTO crisk.financials (customer_id, fiscal_year_end, working_capital, retained_earnings,
                              ebit, equity, total_liabilities, total_assets, sales)
SELECT 'K' || lpad(k::text, 2, '0'), date '2025-12-31',
       50000 + k * 1000, CASE WHEN k % 9 = 0 THEN -80000 ELSE 120000 END,
       CASE WHEN k % 9 = 0 THEN -15000 ELSE 40000 + k * 100 END, 200000,
       CASE WHEN k % 27 = 0 THEN 0 ELSE 300000 + k * 5000 END, 600000, 900000 + k * 7000
FROM generate_series(3, 60, 3) AS k;
INSERT INTO crisk.event (customer_id, kind, occurred_on)
SELECT 'K' || lpad(k::text, 2, '0'), (ARRAY['receivership', 'lien', 'pledge'])[1 + k / 20],
       date '2026-07-31' - 100
FROM generate_series(11, 60, 13) AS k;

CREATE TEMP TABLE computed AS
SELECT r.*
FROM pg_catalog.unnest(crisk._rescore_compute(
         ARRAY(SELECT i FROM crisk._rescore_items(ARRAY(SELECT customer_id FROM crisk.account
                                                        ORDER BY customer_id),
                                                  '2026-07-31') AS i),
         '2026-07-31')) AS r;

-- The SQL functions, called with the same inputs.
CREATE TEMP TABLE by_sql AS
SELECT c.customer_id,
       crisk.altman_z((c.item).working_capital, (c.item).retained_earnings, (c.item).ebit,
                      (c.item).equity, (c.item).total_liabilities, (c.item).total_assets,
                      (c.item).sales, 'z_prime') AS altman_z,
       crisk.credit_score((c.item).profile, c.altman_z, (c.item).adverse_events, c.utilization,
                          c.relationship_months, (c.item).model, (c.item).event_severity,
                          (c.item).broken_promises_12m) AS score,
       (SELECT jsonb_agg(jsonb_build_object('characteristic', e.characteristic,
                                            'value', to_jsonb(e.value),
                                            'points', e.points, 'max_points', e.max_points))
        FROM crisk.explain_score((c.item).profile, c.altman_z, (c.item).adverse_events,
                                 c.utilization, c.relationship_months, (c.item).model,
                                 (c.item).event_severity, (c.item).broken_promises_12m) AS e) AS reasons,
       crisk.recalibrated_limit((c.item).credit_limit, c.score,
                                CASE WHEN c.monthly_sales < 0 THEN 0 ELSE c.monthly_sales END,
                                (c.item).insured_cover, (c.item).policy,
                                (c.item).payment_terms_days, (c.item).review_base_limit,
                                (c.item).class_cap) AS recommended_limit
FROM computed AS c;

-- The portfolio covers what it should: customers with and without
-- balance sheets, sales, limits, events; some limits change.
SELECT count(*) AS customers,
       count(altman_z) AS with_altman_z,
       count(monthly_sales) AS with_sales,
       count(utilization) AS with_utilization,
       count(DISTINCT risk_class) AS classes,
       count(*) FILTER (WHERE (item).class_cap IS NOT NULL) AS capped,
       count(recommended_limit) AS with_recommended_limit,
       count(*) FILTER (WHERE recommended_limit IS DISTINCT FROM (item).credit_limit) AS limit_changes
FROM computed;

-- Every figure agrees (no row listed).
SELECT c.customer_id,
       c.altman_z IS DISTINCT FROM s.altman_z AS altman_differs,
       c.score IS DISTINCT FROM s.score AS score_differs,
       c.reasons IS DISTINCT FROM s.reasons AS reasons_differ,
       c.risk_class IS DISTINCT FROM
           (ARRAY['A', 'B', 'C', 'D', 'E'])[greatest(ascii(crisk.risk_class(c.score)),
                                                      ascii(COALESCE((c.item).class_cap, 'A'))) - 64]
           AS class_differs,
       c.recommended_limit IS DISTINCT FROM s.recommended_limit AS limit_differs
FROM computed AS c JOIN by_sql AS s USING (customer_id)
WHERE c.altman_z IS DISTINCT FROM s.altman_z
   OR c.score IS DISTINCT FROM s.score
   OR c.reasons IS DISTINCT FROM s.reasons
   OR c.risk_class IS DISTINCT FROM
          (ARRAY['A', 'B', 'C', 'D', 'E'])[greatest(ascii(crisk.risk_class(c.score)),
                                                     ascii(COALESCE((c.item).class_cap, 'A'))) - 64]
   OR c.recommended_limit IS DISTINCT FROM s.recommended_limit
ORDER BY 1;

-- A customer the core cannot score fails in the step as in the SQL
-- functions: an unknown model is 42704, an unknown policy too.
\set VERBOSITY terse
SAVEPOINT unknown;
UPDATE crisk.account SET model = 'no such model' WHERE customer_id = 'K03';
SELECT crisk._rescore_compute(ARRAY(SELECT i FROM crisk._rescore_items(ARRAY['K03'], '2026-07-31') AS i),
                              '2026-07-31');
ROLLBACK TO SAVEPOINT unknown;
UPDATE crisk.account SET policy = 'no such policy' WHERE customer_id = 'K03';
SELECT crisk._rescore_compute(ARRAY(SELECT i FROM crisk._rescore_items(ARRAY['K03'], '2026-07-31') AS i),
                              '2026-07-31');
ROLLBACK;
