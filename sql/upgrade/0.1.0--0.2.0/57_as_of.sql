-- As-of purity (SPEC section 5.2): the *_at functions answer from what was
-- known on their date, and the views are those functions at today.  The
-- helpers they read (crisk.scores_at, crisk.limits_at, crisk.ledger_parts)
-- come with the allocations, in 45_allocations.sql.

-- From 62_portfolio_kpi.sql.
CREATE OR REPLACE FUNCTION crisk.portfolio_kpi_at(as_of pg_catalog.date,
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
                   open_alerts pg_catalog.int4)
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
#variable_conflict use_column
DECLARE
    on_day         pg_catalog.date := portfolio_kpi_at.as_of;
    -- DSO's period: the 90 days (on_day - 90, on_day].
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
    period_from := on_day OPERATOR(pg_catalog.-) 90;
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
               crisk.dso(l.amount, l.issue_date, l.paid_date, on_day, 90) AS dso,
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
                    THEN crisk.best_possible_dso(g.cur, g.sales, 90) END AS bpdso
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
           g.alerts::pg_catalog.int4
    FROM ratios g;
END
$$;
COMMENT ON FUNCTION crisk.portfolio_kpi_at(pg_catalog.date, pg_catalog.text) IS
    'Portfolio KPIs as of a date, one row: the columns of crisk.portfolio_kpi over the items open at as_of, with the expected credit loss from the provision matrix named by matrix (NULL: the one in force). Open amounts from the allocations applied by as_of; classes, limits and open alerts as known on as_of (crisk.scores_at, crisk.limits_at). NULL as_of raises 22004, an unknown matrix 42704.';

-- From 63_watchlist.sql: now an inlinable SQL function, and the view reads it.
CREATE OR REPLACE FUNCTION crisk.watchlist_at(as_of pg_catalog.date)
    RETURNS TABLE (customer_id pg_catalog.text, name pg_catalog.text, segment pg_catalog.text,
                   reason pg_catalog.text, observed_on pg_catalog.date,
                   risk_class pg_catalog.text, score pg_catalog.int4,
                   class_from pg_catalog.text, class_to pg_catalog.text,
                   exposure pg_catalog.numeric, credit_limit pg_catalog.numeric,
                   amount_over_limit pg_catalog.numeric,
                   event_kind pg_catalog.text, adverse_events pg_catalog.int4)
    LANGUAGE sql STABLE
    AS $$
SELECT r.customer_id,
       a.name,
       a.segment,
       r.reason,
       r.observed_on,
       s.risk_class,
       s.score,
       r.class_from,
       r.class_to,
       x.exposure,
       m.credit_limit,
       CASE WHEN r.reason OPERATOR(pg_catalog.=) 'limit_breach'
            THEN x.exposure OPERATOR(pg_catalog.-) m.credit_limit END,
       r.event_kind,
       r.adverse_events
FROM (SELECT s.customer_id, 'high_risk_class'::pg_catalog.text AS reason, s.as_of AS observed_on,
             NULL::pg_catalog.text AS class_from, NULL::pg_catalog.text AS class_to,
             NULL::pg_catalog.text AS event_kind, NULL::pg_catalog.int4 AS adverse_events
      FROM crisk.scores_at($1) s
      WHERE s.risk_class OPERATOR(pg_catalog.=) ANY ('{D,E}'::pg_catalog.text[])
      UNION ALL
      (SELECT DISTINCT ON (h.customer_id)
             h.customer_id, 'downgrade', h.as_of, h.previous_risk_class, h.risk_class, NULL, NULL
      FROM crisk.score_history h
      WHERE h.risk_class_since OPERATOR(pg_catalog.=) h.scored_at
        AND h.previous_risk_class IS NOT NULL
        AND h.as_of OPERATOR(pg_catalog.>) ($1 OPERATOR(pg_catalog.-) 30)
        AND h.as_of OPERATOR(pg_catalog.<=) $1
        AND h.risk_class OPERATOR(pg_catalog.>) h.previous_risk_class
      ORDER BY h.customer_id, h.as_of DESC, h.scored_at DESC, h.history_id DESC)
      UNION ALL
      SELECT b.customer_id, 'limit_breach', $1, NULL, NULL, NULL, NULL
      FROM crisk.limits_at($1) b
      JOIN (SELECT l.customer_id, pg_catalog.sum(l.amount) AS exposure
            FROM crisk.ledger_parts() l
            WHERE l.issue_date OPERATOR(pg_catalog.<=) $1
              AND (l.paid_date IS NULL OR l.paid_date OPERATOR(pg_catalog.>) $1)
            GROUP BY l.customer_id) x ON x.customer_id OPERATOR(pg_catalog.=) b.customer_id
      WHERE x.exposure OPERATOR(pg_catalog.>) b.credit_limit
      UNION ALL
      (SELECT DISTINCT ON (e.customer_id)
             e.customer_id, 'adverse_event', e.occurred_on, NULL, NULL, e.kind,
             (pg_catalog.count(*) OVER (PARTITION BY e.customer_id))::pg_catalog.int4
      FROM crisk.event e
      JOIN crisk.event_kind k ON k.kind OPERATOR(pg_catalog.=) e.kind
      WHERE k.adverse
        AND e.occurred_on OPERATOR(pg_catalog.>) (crisk._as_of_checked($1) OPERATOR(pg_catalog.-) '1 year'::pg_catalog.interval)::pg_catalog.date
        AND e.occurred_on OPERATOR(pg_catalog.<=) $1
      ORDER BY e.customer_id, e.occurred_on DESC, e.event_id DESC)) r
LEFT JOIN crisk.account a ON a.customer_id OPERATOR(pg_catalog.=) r.customer_id
LEFT JOIN crisk.scores_at($1) s ON s.customer_id OPERATOR(pg_catalog.=) r.customer_id
LEFT JOIN crisk.limits_at($1) m ON m.customer_id OPERATOR(pg_catalog.=) r.customer_id
LEFT JOIN LATERAL (
    SELECT pg_catalog.sum(l.amount) AS exposure
    FROM crisk.ledger_parts() l
    WHERE l.customer_id OPERATOR(pg_catalog.=) r.customer_id
      AND l.issue_date OPERATOR(pg_catalog.<=) $1
      AND (l.paid_date IS NULL OR l.paid_date OPERATOR(pg_catalog.>) $1)) x ON true
WHERE crisk._as_of_checked(crisk._as_of_required($1, 'crisk.watchlist')) IS NOT NULL
$$;
COMMENT ON FUNCTION crisk.watchlist_at(pg_catalog.date) IS
    'The watch-list as of a date: the columns of crisk.watchlist with exposures open at as_of and the downgrade (30 days) and adverse-event (12 months) windows ending at as_of; scores, classes and limits as known on as_of (crisk.scores_at, crisk.limits_at), open amounts from the allocations applied by then. NULL as_of raises 22004. Inlined into the caller''s query: a filter on customer_id reaches the indexes.';

CREATE OR REPLACE VIEW crisk.watchlist WITH (security_invoker = true) AS
    SELECT w.customer_id, w.name, w.segment, w.reason, w.observed_on, w.risk_class, w.score,
           w.class_from, w.class_to, w.exposure, w.credit_limit, w.amount_over_limit,
           w.event_kind, w.adverse_events
    FROM crisk.watchlist_at(CURRENT_DATE) AS w;

-- Open amounts, and so every pass, now read the allocations: a role that
-- could read the ledger (the worker's, a BI reader) may read them too (the
-- view and crisk's table, as for the ledger), so
-- that a pass on 0.1.0's grants keeps working until
-- crisk.grant_worker_privileges is run again.  Grants in an update script
-- become the relations' initial privileges; a fresh install has none but
-- their owner's, so they are dropped from those (not from the relations), as
-- 99_initial_privileges.sql does for functions.
DO $$
DECLARE
    reader pg_catalog.text;
BEGIN
    FOR reader IN
        SELECT pg_catalog.quote_ident(r.rolname)
        FROM pg_catalog.pg_class c,
             LATERAL pg_catalog.aclexplode(c.relacl) AS x
             JOIN pg_catalog.pg_roles r ON r.oid OPERATOR(pg_catalog.=) x.grantee
        WHERE c.oid OPERATOR(pg_catalog.=) 'crisk.ledger'::pg_catalog.regclass
          AND x.privilege_type OPERATOR(pg_catalog.=) 'SELECT'
          AND x.grantee OPERATOR(pg_catalog.<>) c.relowner
    LOOP
        EXECUTE 'GRANT SELECT ON crisk.allocations, crisk.allocation TO ' || reader;
    END LOOP;
END
$$;
UPDATE pg_catalog.pg_init_privs AS ip
   SET initprivs = ARRAY(SELECT a.item FROM pg_catalog.unnest(ip.initprivs) AS a(item)
                         WHERE EXISTS (SELECT FROM pg_catalog.aclexplode(ARRAY[a.item]) AS x
                                       WHERE x.grantee OPERATOR(pg_catalog.=) c.relowner))
  FROM pg_catalog.pg_class AS c
 WHERE ip.classoid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
   AND ip.objoid OPERATOR(pg_catalog.=) c.oid
   AND ip.objsubid OPERATOR(pg_catalog.=) 0
   AND c.oid OPERATOR(pg_catalog.=) ANY (ARRAY['crisk.allocations'::pg_catalog.regclass,
                                          'crisk.allocation'::pg_catalog.regclass]::pg_catalog.oid[]);
