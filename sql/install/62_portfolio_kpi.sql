-- Portfolio KPIs: one row with the figures a credit manager reports every
-- month: receivables and their aging, overdue share, DSO (standard over 90
-- days and countback), best possible DSO and average days delinquent,
-- concentration, expected credit loss from the provision matrix in force,
-- customers per risk class, credit limits and exposures above them.
--
-- crisk.portfolio_kpi_at(as_of) computes them as of a date; the view
-- crisk.portfolio_kpi is the same as of today (a view over the function:
-- one row, nothing to push down).  It reads the ledger twice: once for the
-- portfolio's aggregates (DSO needs every invoice issued, not only the open
-- ones), once grouped by customer for the exposures, both cut into the
-- parts the allocations settled (crisk.ledger_parts), so that an invoice
-- paid in parts counts for what was open of it on as_of.  Classes, limits
-- and open alerts are those known on as_of (crisk.scores_at,
-- crisk.limits_at, alerts raised by then and not acknowledged by then):
-- later passes and limit changes leave a past date's figures alone.
--
-- Every figure is open "at as_of" (issued by as_of, unpaid or paid after
-- it) and the DSO's receivables are the same items, so that
-- average_days_delinquent = dso - best_possible_dso holds on the figures
-- shown (both rounded to 2 decimals first).  Credit sales of the period
-- that are zero or negative (only credit notes) make the DSOs NULL rather
-- than an error.  An empty portfolio gives one row: counts and amounts 0,
-- ratios NULL (nothing to divide by).
--
-- disputed (last column, so that 0.1.0 queries keep theirs): the amounts
-- of the disputes open at as_of on invoices unpaid then, the total of
-- crisk.aged_balance_at's disputed column; those amounts stay in the
-- receivables and their buckets.

CREATE FUNCTION crisk.portfolio_kpi_at(as_of pg_catalog.date,
                                       matrix pg_catalog.text DEFAULT NULL)
    RETURNS TABLE (customers pg_catalog.int4,
                   receivables pg_catalog.numeric,
                   current_amount pg_catalog.numeric,
                   days_1_30 pg_catalog.numeric,
                   days_31_60 pg_catalog.numeric,
                   days_61_90 pg_catalog.numeric,
                   days_over_90 pg_catalog.numeric,
                   overdue_amount pg_catalog.numeric,
                   overdue_share pg_catalog.numeric,
                   credit_sales_90_days pg_catalog.numeric,
                   dso pg_catalog.numeric,
                   dso_countback pg_catalog.numeric,
                   best_possible_dso pg_catalog.numeric,
                   average_days_delinquent pg_catalog.numeric,
                   concentration_hhi pg_catalog.float8,
                   largest_exposure pg_catalog.numeric,
                   top_10_share pg_catalog.numeric,
                   provision_matrix pg_catalog.text,
                   expected_credit_loss pg_catalog.numeric,
                   customers_scored pg_catalog.int4,
                   customers_class_a pg_catalog.int4,
                   customers_class_b pg_catalog.int4,
                   customers_class_c pg_catalog.int4,
                   customers_class_d pg_catalog.int4,
                   customers_class_e pg_catalog.int4,
                   credit_limits_total pg_catalog.numeric,
                   exposures_above_limit pg_catalog.int4,
                   amount_above_limit pg_catalog.numeric,
                   open_alerts pg_catalog.int4,
                   disputed pg_catalog.numeric)
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
#variable_conflict use_column
DECLARE
    on_day         pg_catalog.date := portfolio_kpi_at.as_of;
    -- DSO's period: the days (on_day - crisk._dso_period_days(), on_day].
    period_from pg_catalog.date;
    m           record;
BEGIN
    IF on_day IS NULL THEN
        RAISE EXCEPTION 'as_of must not be null'
            USING ERRCODE = '22004', HINT = 'Give a date; crisk.portfolio_kpi is the portfolio as of today.';
    END IF;
    IF NOT pg_catalog.isfinite(on_day) THEN
        RAISE EXCEPTION 'as_of must be a finite date'
            USING ERRCODE = '22023', DETAIL = pg_catalog.format('as_of is %s.', on_day);
    END IF;
    period_from := on_day OPERATOR(pg_catalog.-) crisk._dso_period_days();
    SELECT r.matrix_used, r.loss_rates, r.bounds INTO m
    FROM crisk.provision_matrix_rates(portfolio_kpi_at.matrix) AS r;

    RETURN QUERY
    WITH ledger_figures AS (
        -- The whole portfolio in one pass.
        SELECT crisk.aging(l.amount, l.due_date, on_day)
                   FILTER (WHERE l.issue_date OPERATOR(pg_catalog.<=) on_day
                             AND (l.paid_date IS NULL OR l.paid_date OPERATOR(pg_catalog.>) on_day)) AS buckets,
               crisk.expected_credit_loss(l.amount, l.due_date, on_day, m.loss_rates, m.bounds)
                   FILTER (WHERE l.issue_date OPERATOR(pg_catalog.<=) on_day
                             AND (l.paid_date IS NULL OR l.paid_date OPERATOR(pg_catalog.>) on_day)) AS ecl,
               pg_catalog.sum(l.amount)
                   FILTER (WHERE l.issue_date OPERATOR(pg_catalog.>) period_from
                             AND l.issue_date OPERATOR(pg_catalog.<=) on_day) AS sales,
               crisk.dso(l.amount, l.issue_date, l.paid_date, on_day, crisk._dso_period_days()) AS dso,
               crisk.dso_countback(l.amount, l.issue_date, l.paid_date, on_day) AS dso_countback
        FROM crisk.ledger_parts() l
    ), exposures AS (
        SELECT l.customer_id, pg_catalog.sum(l.amount) AS exposure
        FROM crisk.ledger_parts() l
        WHERE l.issue_date OPERATOR(pg_catalog.<=) on_day
          AND (l.paid_date IS NULL OR l.paid_date OPERATOR(pg_catalog.>) on_day)
        GROUP BY l.customer_id
    ), exposure_figures AS (
        SELECT pg_catalog.count(*) AS customers,
               crisk.concentration(x.exposure) AS hhi,
               pg_catalog.max(x.exposure) AS largest,
               pg_catalog.sum(x.exposure) FILTER (WHERE x.exposure OPERATOR(pg_catalog.>) 0) AS positive_total,
               pg_catalog.count(*) FILTER (WHERE x.exposure OPERATOR(pg_catalog.>) a.credit_limit) AS above_limit,
               pg_catalog.sum(x.exposure OPERATOR(pg_catalog.-) a.credit_limit)
                   FILTER (WHERE x.exposure OPERATOR(pg_catalog.>) a.credit_limit) AS amount_above
        FROM exposures x
        LEFT JOIN crisk.limits_at(on_day) a ON a.customer_id OPERATOR(pg_catalog.=) x.customer_id
    ), top_10 AS (
        SELECT pg_catalog.sum(t.exposure) AS total
        FROM (SELECT x.exposure FROM exposures x
              WHERE x.exposure OPERATOR(pg_catalog.>) 0
              ORDER BY x.exposure DESC LIMIT 10) t
    ), classes AS (
        SELECT pg_catalog.count(*) AS scored,
               pg_catalog.count(*) FILTER (WHERE s.risk_class OPERATOR(pg_catalog.=) 'A') AS a,
               pg_catalog.count(*) FILTER (WHERE s.risk_class OPERATOR(pg_catalog.=) 'B') AS b,
               pg_catalog.count(*) FILTER (WHERE s.risk_class OPERATOR(pg_catalog.=) 'C') AS c,
               pg_catalog.count(*) FILTER (WHERE s.risk_class OPERATOR(pg_catalog.=) 'D') AS d,
               pg_catalog.count(*) FILTER (WHERE s.risk_class OPERATOR(pg_catalog.=) 'E') AS e
        FROM crisk.scores_at(on_day) s
    ), figures AS (
        SELECT f.buckets, f.ecl, f.dso, f.dso_countback,
               COALESCE(f.sales, 0) AS sales,
               x.customers, x.hhi, x.largest, x.positive_total, x.above_limit, x.amount_above,
               t.total AS top_10_total,
               c.scored, c.a, c.b, c.c, c.d, c.e,
               COALESCE((SELECT pg_catalog.sum(a.credit_limit) FROM crisk.limits_at(on_day) a), 0) AS limits,
               (SELECT pg_catalog.count(*) FROM crisk.alert al
                WHERE al.raised_at::pg_catalog.date OPERATOR(pg_catalog.<=) on_day
                  AND (al.acknowledged_at IS NULL
                       OR al.acknowledged_at::pg_catalog.date OPERATOR(pg_catalog.>) on_day)) AS alerts,
               COALESCE(f.buckets[1], 0) AS cur,
               COALESCE(f.buckets[1] OPERATOR(pg_catalog.+) f.buckets[2] OPERATOR(pg_catalog.+) f.buckets[3]
                        OPERATOR(pg_catalog.+) f.buckets[4] OPERATOR(pg_catalog.+) f.buckets[5], 0) AS total
        FROM ledger_figures f, exposure_figures x, top_10 t, classes c
    ), ratios AS (
        SELECT g.*,
               -- best_possible_dso refuses negative sales; no sales, no DSO.
               CASE WHEN g.sales OPERATOR(pg_catalog.>) 0
                    THEN crisk.best_possible_dso(g.cur, g.sales, crisk._dso_period_days()) END AS bpdso
        FROM figures g
    )
    SELECT g.customers::pg_catalog.int4,
           g.total,
           g.cur,
           COALESCE(g.buckets[2], 0),
           COALESCE(g.buckets[3], 0),
           COALESCE(g.buckets[4], 0),
           COALESCE(g.buckets[5], 0),
           g.total OPERATOR(pg_catalog.-) g.cur,
           CASE WHEN g.total OPERATOR(pg_catalog.>) 0
                THEN pg_catalog.round((g.total OPERATOR(pg_catalog.-) g.cur) OPERATOR(pg_catalog./) g.total, 4) END,
           g.sales,
           g.dso,
           g.dso_countback,
           g.bpdso,
           g.dso OPERATOR(pg_catalog.-) g.bpdso,
           g.hhi,
           g.largest,
           pg_catalog.round(g.top_10_total OPERATOR(pg_catalog./) g.positive_total, 4),
           m.matrix_used,
           COALESCE(g.ecl, 0),
           g.scored::pg_catalog.int4, g.a::pg_catalog.int4, g.b::pg_catalog.int4,
           g.c::pg_catalog.int4, g.d::pg_catalog.int4, g.e::pg_catalog.int4,
           g.limits,
           g.above_limit::pg_catalog.int4,
           COALESCE(g.amount_above, 0),
           g.alerts::pg_catalog.int4,
           -- Disputed: as crisk.aged_balance_at counts it per customer.
           COALESCE((SELECT pg_catalog.sum(x.amount)
                     FROM crisk.dispute x
                     JOIN crisk.ledger d ON d.invoice_id OPERATOR(pg_catalog.=) x.invoice_id
                     WHERE x.opened_on OPERATOR(pg_catalog.<=) on_day
                       AND (x.resolved_on IS NULL OR x.resolved_on OPERATOR(pg_catalog.>) on_day)
                       AND (d.paid_date IS NULL OR d.paid_date OPERATOR(pg_catalog.>) on_day)), 0)
    FROM ratios g;
END
$$;
COMMENT ON FUNCTION crisk.portfolio_kpi_at(pg_catalog.date, pg_catalog.text) IS
    'Portfolio KPIs as of a date, one row: the columns of crisk.portfolio_kpi over the items open at as_of, with the expected credit loss from the provision matrix named by matrix (NULL: the one in force). Open amounts from the allocations applied by as_of; classes, limits and open alerts as known on as_of (crisk.scores_at, crisk.limits_at). NULL as_of raises 22004, an unknown matrix 42704.';

CREATE VIEW crisk.portfolio_kpi WITH (security_invoker = true) AS
    SELECT k.customers, k.receivables, k.current_amount, k.days_1_30, k.days_31_60,
           k.days_61_90, k.days_over_90, k.overdue_amount, k.overdue_share,
           k.credit_sales_90_days, k.dso, k.dso_countback, k.best_possible_dso,
           k.average_days_delinquent, k.concentration_hhi, k.largest_exposure,
           k.top_10_share, k.provision_matrix, k.expected_credit_loss,
           k.customers_scored, k.customers_class_a, k.customers_class_b, k.customers_class_c,
           k.customers_class_d, k.customers_class_e,
           k.credit_limits_total, k.exposures_above_limit, k.amount_above_limit, k.open_alerts,
           k.disputed
    FROM crisk.portfolio_kpi_at(CURRENT_DATE) AS k;
COMMENT ON VIEW crisk.portfolio_kpi IS
    'Portfolio KPIs as of today, one row: receivables and their aging, overdue share, DSO (standard over 90 days, countback), best possible DSO, average days delinquent, concentration (HHI), expected credit loss from the provision matrix in force, customers per risk class, credit limits and exposures above them, open alerts, the amount under open disputes. Empty portfolio: counts and amounts 0, ratios NULL. For another date: crisk.portfolio_kpi_at(as_of).';
COMMENT ON COLUMN crisk.portfolio_kpi.customers IS 'Customers with open items.';
COMMENT ON COLUMN crisk.portfolio_kpi.receivables IS 'Everything open, credit notes included.';
COMMENT ON COLUMN crisk.portfolio_kpi.current_amount IS 'Open amount not yet due.';
COMMENT ON COLUMN crisk.portfolio_kpi.days_1_30 IS 'Open amount 1 to 30 days past due.';
COMMENT ON COLUMN crisk.portfolio_kpi.days_31_60 IS 'Open amount 31 to 60 days past due.';
COMMENT ON COLUMN crisk.portfolio_kpi.days_61_90 IS 'Open amount 61 to 90 days past due.';
COMMENT ON COLUMN crisk.portfolio_kpi.days_over_90 IS 'Open amount more than 90 days past due.';
COMMENT ON COLUMN crisk.portfolio_kpi.overdue_amount IS 'Open amount past due: receivables minus current_amount.';
COMMENT ON COLUMN crisk.portfolio_kpi.overdue_share IS 'overdue_amount / receivables as a fraction rounded to 4 decimals (0.1234 = 12.34 %); NULL when receivables are zero or negative.';
COMMENT ON COLUMN crisk.portfolio_kpi.credit_sales_90_days IS 'Amount invoiced over the last 90 days (credit notes deducted): the DSO''s denominator.';
COMMENT ON COLUMN crisk.portfolio_kpi.dso IS 'Days sales outstanding, standard method over 90 days: receivables / credit_sales_90_days * 90, in days to 2 decimals; NULL without sales.';
COMMENT ON COLUMN crisk.portfolio_kpi.dso_countback IS 'Days sales outstanding, countback method over calendar months (insensitive to seasonality).';
COMMENT ON COLUMN crisk.portfolio_kpi.best_possible_dso IS 'The DSO if every customer paid on time: current_amount / credit_sales_90_days * 90.';
COMMENT ON COLUMN crisk.portfolio_kpi.average_days_delinquent IS 'Average days delinquent: dso minus best_possible_dso.';
COMMENT ON COLUMN crisk.portfolio_kpi.concentration_hhi IS 'Herfindahl-Hirschman index of customers'' exposures, 0 (spread) to 10 000 (one customer); customers in credit are left out. NULL when nobody owes anything.';
COMMENT ON COLUMN crisk.portfolio_kpi.largest_exposure IS 'Largest open balance of a single customer.';
COMMENT ON COLUMN crisk.portfolio_kpi.top_10_share IS 'Share of the positive balances owed by the 10 largest, as a fraction rounded to 4 decimals.';
COMMENT ON COLUMN crisk.portfolio_kpi.provision_matrix IS 'Provision matrix the expected credit loss uses (crisk.set_provision_matrix).';
COMMENT ON COLUMN crisk.portfolio_kpi.expected_credit_loss IS 'IFRS 9 provision: each aging bucket''s receivables times the matrix''s loss rate, summed; exact (not rounded).';
COMMENT ON COLUMN crisk.portfolio_kpi.customers_scored IS 'Customers with a score (crisk.score).';
COMMENT ON COLUMN crisk.portfolio_kpi.customers_class_a IS 'Customers in risk class A (score 80-100).';
COMMENT ON COLUMN crisk.portfolio_kpi.customers_class_b IS 'Customers in risk class B (score 60-79).';
COMMENT ON COLUMN crisk.portfolio_kpi.customers_class_c IS 'Customers in risk class C (score 40-59).';
COMMENT ON COLUMN crisk.portfolio_kpi.customers_class_d IS 'Customers in risk class D (score 20-39).';
COMMENT ON COLUMN crisk.portfolio_kpi.customers_class_e IS 'Customers in risk class E (score 0-19).';
COMMENT ON COLUMN crisk.portfolio_kpi.credit_limits_total IS 'Sum of the credit limits in force (accounts without a limit count 0).';
COMMENT ON COLUMN crisk.portfolio_kpi.exposures_above_limit IS 'Customers whose open balance exceeds their credit limit.';
COMMENT ON COLUMN crisk.portfolio_kpi.amount_above_limit IS 'By how much those balances exceed the limits, in total.';
COMMENT ON COLUMN crisk.portfolio_kpi.open_alerts IS 'Alerts not yet acknowledged (crisk.alert).';
COMMENT ON COLUMN crisk.portfolio_kpi.disputed IS 'Amount under disputes open on unpaid invoices (crisk.dispute): the sum of crisk.aged_balance.disputed. It stays in the receivables and their buckets. 0 when none.';
REVOKE ALL ON crisk.portfolio_kpi FROM PUBLIC;
