-- The scoring step of a rescoring pass (src/rescore.c and
-- src/rescore_batch.c call these; they are internal, hence the leading
-- underscore, and nobody but the worker's role needs them).
--
--   crisk._rescore_worklist(as_of)      every customer with an account, from
--                                       ONE grouped read of the ledger and one
--                                       read of each other table (full pass)
--   crisk._rescore_items(ids, as_of)    the same for given customers, through
--                                       the per-customer indexes (incremental)
--   crisk._rescore_compute(items, as_of) score, class, reasons, recalibrated
--                                       limit; reads nothing, writes nothing
-- and one statement prepared in src/rescore_write.c writes scores,
-- history, limits and alerts (the alert rules: crisk._alert_rules).
--
-- Only customers with a row in crisk.account are scored (crisk.score
-- refers to it); invoices of other customers are ignored.

-- What a pass knows about one customer before scoring: the payment profile
-- and other figures from the ledger, the account, the latest financial
-- statements, the events, and the previous score (to tell what changed).
CREATE TYPE crisk.rescore_item AS (
    customer_id              pg_catalog.text,
    profile                  crisk.payment_profile,  -- NULL: no invoice issued by as_of
    first_issue_date         pg_catalog.date,
    sales_12_months          pg_catalog.numeric,     -- NULL: nothing issued in the last 12 months
    oldest_open_due          pg_catalog.date,        -- due date of the oldest open invoice
    newest_due_over_90       pg_catalog.date,        -- latest due date of an open invoice over 90 days
    credit_limit             pg_catalog.numeric,
    limit_locked             pg_catalog.bool,
    insured_cover            pg_catalog.numeric,
    policy                   pg_catalog.text,
    model                    pg_catalog.text,
    customer_since           pg_catalog.date,
    working_capital          pg_catalog.numeric,
    retained_earnings        pg_catalog.numeric,
    ebit                     pg_catalog.numeric,
    equity                   pg_catalog.numeric,
    total_liabilities        pg_catalog.numeric,
    total_assets             pg_catalog.numeric,
    sales                    pg_catalog.numeric,
    adverse_events           pg_catalog.int4,
    last_event_recorded_at   pg_catalog.timestamptz,
    previous_score           pg_catalog.int4,
    previous_risk_class      pg_catalog.text,
    previous_as_of           pg_catalog.date,
    previous_scored_at       pg_catalog.timestamptz,
    previous_open_amount     pg_catalog.numeric,
    previous_credit_limit    pg_catalog.numeric,
    previous_avg_dbt         pg_catalog.float8,
    previous_dbt_stddev      pg_catalog.float8,
    previous_model           pg_catalog.text,
    previous_recommended_limit pg_catalog.numeric,
    payment_terms_days       pg_catalog.int4,
    event_severity           pg_catalog.int4,        -- highest severity of the events in force; 0: none
    class_cap                pg_catalog.text,        -- worst class_cap of the events in force
    review_base_limit        pg_catalog.numeric,     -- lowest limit in force in the review window
    utilization_limit        pg_catalog.numeric,     -- the limit utilization is measured against
    broken_promises_12m      pg_catalog.int4         -- NULL: promises not readable (crisk._broken_promises_12m)
);
COMMENT ON TYPE crisk.rescore_item IS
    'Internal: what a rescoring pass reads about one customer before scoring it.';
-- review_base_limit: the lowest limit in force during the review window
-- of the account's policy (its longest review_days, counted back from
-- now: crisk.limit_change is stamped in real time), the current limit
-- included; no limit counts as 0, so that a limit set from nothing within
-- the window rises no further than the initial limit until it ends.  utilization_limit: the limit in force before the pass; when
-- the customer was already scored as of the same date and nobody changed
-- the limit since, the limit in force before that first pass, so that
-- running a date's pass again finds the same utilization.

-- What a pass computes for one customer.  customer_id comes first: the
-- pass reads it to name a customer whose score could not be written.
CREATE TYPE crisk.rescore_result AS (
    customer_id          pg_catalog.text,
    item                 crisk.rescore_item,
    score                pg_catalog.int4,
    risk_class           pg_catalog.text,
    reasons              pg_catalog.jsonb,
    altman_z             pg_catalog.float8,
    utilization          pg_catalog.float8,
    relationship_months  pg_catalog.int4,
    monthly_sales        pg_catalog.numeric,
    recommended_limit    pg_catalog.numeric
);
COMMENT ON TYPE crisk.rescore_result IS
    'Internal: the score, class, reasons and recalibrated limit a rescoring pass computed for one customer, with what it read.';

-- Everything a pass reads from one customer's ledger, in one aggregate
-- (src/rescore_ledger.c): the payment profile, the first issue date, the
-- sales of the last twelve months, and two due dates of open invoices.
CREATE TYPE crisk.rescore_ledger AS (
    profile             crisk.payment_profile,  -- NULL: no invoice with an amount and a due date
    first_issue_date    pg_catalog.date,
    sales_12_months     pg_catalog.numeric,     -- NULL: nothing issued in the last 12 months
    oldest_open_due     pg_catalog.date,        -- due date of the oldest open invoice
    newest_due_over_90  pg_catalog.date         -- latest due date of an open invoice over 90 days
);
COMMENT ON TYPE crisk.rescore_ledger IS
    'Internal: what a rescoring pass reads from one customer''s ledger (crisk._rescore_ledger).';

CREATE FUNCTION crisk._rescore_ledger_transition(pg_catalog.internal, pg_catalog.numeric,
                                                 pg_catalog.date, pg_catalog.date,
                                                 pg_catalog.date, pg_catalog.date)
    RETURNS pg_catalog.internal
    AS 'MODULE_PATHNAME', 'crisk_rescore_ledger_transition'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION crisk._rescore_ledger_transition(pg_catalog.internal, pg_catalog.numeric, pg_catalog.date, pg_catalog.date, pg_catalog.date, pg_catalog.date) IS
    'Internal: transition function of crisk._rescore_ledger.';
REVOKE ALL ON FUNCTION crisk._rescore_ledger_transition(pg_catalog.internal, pg_catalog.numeric, pg_catalog.date, pg_catalog.date, pg_catalog.date, pg_catalog.date) FROM PUBLIC;

CREATE FUNCTION crisk._rescore_ledger_final(pg_catalog.internal)
    RETURNS crisk.rescore_ledger
    AS 'MODULE_PATHNAME', 'crisk_rescore_ledger_final'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION crisk._rescore_ledger_final(pg_catalog.internal) IS
    'Internal: final function of crisk._rescore_ledger.';
REVOKE ALL ON FUNCTION crisk._rescore_ledger_final(pg_catalog.internal) FROM PUBLIC;

CREATE AGGREGATE crisk._rescore_ledger(amount pg_catalog.numeric, issue_date pg_catalog.date,
                                       due_date pg_catalog.date, paid_date pg_catalog.date,
                                       as_of pg_catalog.date) (
    SFUNC = crisk._rescore_ledger_transition,
    STYPE = pg_catalog.internal,
    FINALFUNC = crisk._rescore_ledger_final,
    FINALFUNC_MODIFY = READ_ONLY,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE crisk._rescore_ledger(pg_catalog.numeric, pg_catalog.date, pg_catalog.date, pg_catalog.date, pg_catalog.date) IS
    'Internal: the payment profile, first issue date, sales of the last 12 months, and oldest open and latest over-90-days due dates of a customer''s invoices issued by as_of, for a rescoring pass.';
REVOKE ALL ON FUNCTION crisk._rescore_ledger(pg_catalog.numeric, pg_catalog.date, pg_catalog.date, pg_catalog.date, pg_catalog.date) FROM PUBLIC;

-- Promises to pay broken in the twelve months up to as_of, per customer
-- (the scorecard characteristic broken_promises_12m): the promises made by
-- as_of whose grace date (crisk.promise_grace_until) is within the year
-- before as_of and which crisk.promise_status_at(as_of) finds broken
-- (read through crisk._promise_status_rows, which it inlines).
-- customer_ids NULL: every customer.  Customers without one get no row.
-- A role that may not read crisk.promise (a worker role given its
-- privileges before 0.2.0) gets no rows, and the pass scores the
-- characteristic as unknown (its write statement warns about it).
CREATE FUNCTION crisk._broken_promises_12m(customer_ids pg_catalog.text[], as_of pg_catalog.date)
    RETURNS TABLE (customer_id pg_catalog.text, broken_promises_12m pg_catalog.int4)
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
#variable_conflict use_column
BEGIN
    IF NOT pg_catalog.has_table_privilege('crisk.promise', 'SELECT') THEN
        RETURN;
    END IF;
    -- The conditions on the due date (crisk._promise_due_for_grace: the
    -- grace ended in the year), the grace date and the customer reach the scan
    -- of crisk.promise, so that only the promises of the year (of the
    -- given customers, through their index) are looked up in the ledger.
    -- Two statements, so that each keeps its own plan.
    IF _broken_promises_12m.customer_ids IS NULL THEN
        RETURN QUERY
        SELECT s.customer_id, pg_catalog.count(*)::pg_catalog.int4
        FROM crisk._promise_status_rows(_broken_promises_12m.as_of) AS s
        WHERE s.status OPERATOR(pg_catalog.=) 'broken'
          AND s.due_on OPERATOR(pg_catalog.>=) crisk._promise_due_for_grace(crisk._twelve_months_start(_broken_promises_12m.as_of))
          AND s.grace_until OPERATOR(pg_catalog.<) _broken_promises_12m.as_of
        GROUP BY s.customer_id;
    ELSE
        RETURN QUERY
        SELECT s.customer_id, pg_catalog.count(*)::pg_catalog.int4
        FROM crisk._promise_status_rows(_broken_promises_12m.as_of) AS s
        WHERE s.status OPERATOR(pg_catalog.=) 'broken'
          AND s.due_on OPERATOR(pg_catalog.>=) crisk._promise_due_for_grace(crisk._twelve_months_start(_broken_promises_12m.as_of))
          AND s.grace_until OPERATOR(pg_catalog.<) _broken_promises_12m.as_of
          AND s.customer_id OPERATOR(pg_catalog.=) ANY (_broken_promises_12m.customer_ids)
        GROUP BY s.customer_id;
    END IF;
END
$$;
COMMENT ON FUNCTION crisk._broken_promises_12m(pg_catalog.text[], pg_catalog.date) IS
    'Internal: per customer (all when customer_ids is NULL), the promises to pay broken in the twelve months up to as_of; no rows for a role that may not read crisk.promise.';
-- Left to PUBLIC, as crisk.promise_status_at: it reads with the caller's
-- rights and tells nothing crisk.promise_status would not, and a worker
-- role granted its privileges before 0.2.0 runs it without a new grant.

-- The full pass: one grouped read of the ledger, joined with the accounts,
-- the latest financial statements (ending within two years of as_of), the
-- events, and the previous scores.
--
-- This function and the next have no SET clause, so that PostgreSQL
-- inlines them into the pass's query: called as functions, their rows
-- would first be copied into a tuplestore, which cost a full pass over
-- 50 000 customers a quarter of a second.  Every name in them carries its
-- schema, operators included, so the caller's search_path cannot change
-- what they mean.
CREATE FUNCTION crisk._rescore_worklist(as_of pg_catalog.date)
    RETURNS SETOF crisk.rescore_item
    LANGUAGE sql STABLE
AS $$
    WITH ledger AS (
        SELECT l.customer_id,
               crisk._rescore_ledger(l.amount, l.issue_date, l.due_date, l.paid_date, as_of) AS figures,
               (crisk._rescore_ledger(l.amount, l.issue_date, l.due_date, l.paid_date, as_of)).profile AS profile
        FROM crisk.ledger AS l
        WHERE l.issue_date OPERATOR(pg_catalog.<=) as_of
        GROUP BY l.customer_id
        -- A customer without allocations: the ledger rows are the parts.
        -- Tested per customer, not per ledger row: testing each row cost
        -- more than aggregating the rows of the customers with
        -- allocations twice.
        HAVING NOT l.customer_id OPERATOR(pg_catalog.=) ANY (SELECT c.customer_id FROM crisk.ledger AS c
                                     WHERE c.customer_id IS NOT NULL
                                       AND c.invoice_id OPERATOR(pg_catalog.=) ANY (
                                           SELECT a0.invoice_id FROM crisk.allocations AS a0
                                           UNION ALL
                                           SELECT a0.source_id FROM crisk.allocations AS a0))
        UNION ALL
        SELECT l.customer_id,
               crisk._rescore_ledger(l.amount, l.issue_date, l.due_date, l.paid_date, as_of) AS figures,
               -- The invoice counts of the whole items, not of the parts.
               crisk._profile_item_counts(
                   (crisk._rescore_ledger(l.amount, l.issue_date, l.due_date, l.paid_date, as_of)).profile,
                   pg_catalog.count(*) FILTER (WHERE l.whole AND l.amount IS NOT NULL AND l.due_date IS NOT NULL),
                   pg_catalog.count(*) FILTER (WHERE l.whole AND l.amount IS NOT NULL AND l.due_date IS NOT NULL
                                                 AND (l.paid_date IS NULL OR l.paid_date OPERATOR(pg_catalog.>) as_of))) AS profile
        FROM crisk.ledger_parts() AS l
        WHERE l.issue_date OPERATOR(pg_catalog.<=) as_of
          AND (SELECT EXISTS (SELECT FROM crisk.allocations AS a0))
          -- The others, as one array, so that the ledger is read through
          -- its customer index for them alone.
          AND l.customer_id OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT c.customer_id FROM crisk.ledger AS c
                                     WHERE c.customer_id IS NOT NULL
                                       AND c.invoice_id OPERATOR(pg_catalog.=) ANY (
                                           SELECT a0.invoice_id FROM crisk.allocations AS a0
                                           UNION ALL
                                           SELECT a0.source_id FROM crisk.allocations AS a0)))
        GROUP BY l.customer_id
    ), statements AS (
        SELECT DISTINCT ON (f.customer_id) f.*
        FROM crisk.financials AS f
        WHERE f.fiscal_year_end OPERATOR(pg_catalog.<=) as_of
          AND f.fiscal_year_end OPERATOR(pg_catalog.>) (crisk._as_of_checked(as_of) OPERATOR(pg_catalog.-) '2 years'::pg_catalog.interval)
        ORDER BY f.customer_id, f.fiscal_year_end DESC
    ), events AS (
        SELECT e.customer_id,
               pg_catalog.count(*) FILTER (
                   WHERE k.adverse
                     AND e.occurred_on OPERATOR(pg_catalog.>) crisk._twelve_months_start(crisk._as_of_checked(as_of))
                     AND e.occurred_on OPERATOR(pg_catalog.<=) as_of)::pg_catalog.int4 AS adverse_events,
               pg_catalog.max(k.severity) FILTER (
                   WHERE e.occurred_on OPERATOR(pg_catalog.<=) as_of
                     AND (k.in_force_days IS NULL
                          OR e.occurred_on OPERATOR(pg_catalog.>) (as_of OPERATOR(pg_catalog.-) k.in_force_days))) AS event_severity,
               pg_catalog.max(k.class_cap) FILTER (
                   WHERE e.occurred_on OPERATOR(pg_catalog.<=) as_of
                     AND (k.in_force_days IS NULL
                          OR e.occurred_on OPERATOR(pg_catalog.>) (as_of OPERATOR(pg_catalog.-) k.in_force_days))) AS class_cap,
               pg_catalog.max(e.recorded_at) AS last_event_recorded_at
        FROM crisk.event AS e
        JOIN crisk.event_kind AS k ON k.kind OPERATOR(pg_catalog.=) e.kind
        GROUP BY e.customer_id
    ), reviews AS (
        SELECT p.policy, pg_catalog.max(p.review_days) AS review_days
        FROM crisk.limit_policy AS p
        GROUP BY p.policy
    ), changes AS (
        SELECT c.customer_id,
               pg_catalog.min(LEAST(COALESCE(c.old_limit, 0), c.new_limit)) AS lowest_limit
        FROM crisk.limit_change AS c
        JOIN crisk.account AS ca ON ca.customer_id OPERATOR(pg_catalog.=) c.customer_id
        JOIN reviews AS rv ON rv.policy OPERATOR(pg_catalog.=) ca.policy
        -- The longest window of all policies first, through the index on
        -- changed_at: the audit keeps every change ever made.  A subquery
        -- over the windows above, not a function reading
        -- crisk.limit_policy: on a distributed store the shards could not
        -- run such a function.
        WHERE c.changed_at OPERATOR(pg_catalog.>)
              (SELECT pg_catalog.now() OPERATOR(pg_catalog.-)
                      pg_catalog.make_interval(0, 0, 0, COALESCE(pg_catalog.max(r.review_days), 0))
               FROM reviews AS r)
          AND c.changed_at OPERATOR(pg_catalog.>)
              (pg_catalog.now() OPERATOR(pg_catalog.-) pg_catalog.make_interval(0, 0, 0, rv.review_days))
        GROUP BY c.customer_id
    )
    SELECT a.customer_id, g.profile, (g.figures).first_issue_date,
           (g.figures).sales_12_months, (g.figures).oldest_open_due,
           (g.figures).newest_due_over_90,
           a.credit_limit, a.limit_locked, a.insured_cover, a.policy, a.model, a.customer_since,
           f.working_capital, f.retained_earnings, f.ebit, f.equity,
           f.total_liabilities, f.total_assets, f.sales,
           COALESCE(e.adverse_events, 0), e.last_event_recorded_at,
           s.score, s.risk_class, s.as_of, s.scored_at, s.open_amount, s.credit_limit_after,
           s.avg_days_beyond_terms, s.days_beyond_terms_stddev,
           s.model, s.recommended_limit,
           a.payment_terms_days, COALESCE(e.event_severity, 0), e.class_cap,
           LEAST(a.credit_limit, ch.lowest_limit),
           CASE WHEN s.as_of OPERATOR(pg_catalog.=) _rescore_worklist.as_of
                     -- (IS NOT DISTINCT FROM would look "=" up in the caller's search_path)
                     AND (a.credit_limit OPERATOR(pg_catalog.=) s.credit_limit_after
                          OR (a.credit_limit IS NULL AND s.credit_limit_after IS NULL))
                THEN s.credit_limit_before ELSE a.credit_limit END,
           CASE WHEN pg_catalog.has_table_privilege('crisk.promise', 'SELECT')
                THEN COALESCE(bp.broken_promises_12m, 0) END
    FROM crisk.account AS a
    LEFT JOIN ledger AS g ON g.customer_id OPERATOR(pg_catalog.=) a.customer_id
    LEFT JOIN statements AS f ON f.customer_id OPERATOR(pg_catalog.=) a.customer_id
    LEFT JOIN events AS e ON e.customer_id OPERATOR(pg_catalog.=) a.customer_id
    LEFT JOIN changes AS ch ON ch.customer_id OPERATOR(pg_catalog.=) a.customer_id
    LEFT JOIN crisk._broken_promises_12m(NULL, as_of) AS bp ON bp.customer_id OPERATOR(pg_catalog.=) a.customer_id
    LEFT JOIN crisk.score AS s ON s.customer_id OPERATOR(pg_catalog.=) a.customer_id
$$;
COMMENT ON FUNCTION crisk._rescore_worklist(pg_catalog.date) IS
    'Internal: what a full rescoring pass reads about every customer with an account, from one grouped read of the ledger.';
REVOKE ALL ON FUNCTION crisk._rescore_worklist(pg_catalog.date) FROM PUBLIC;

-- The same for given customers, each table read through its index on
-- customer_id.
CREATE FUNCTION crisk._rescore_items(customer_ids pg_catalog.text[], as_of pg_catalog.date)
    RETURNS SETOF crisk.rescore_item
    LANGUAGE sql STABLE
AS $$
    SELECT a.customer_id, g.profile, (g.figures).first_issue_date,
           (g.figures).sales_12_months, (g.figures).oldest_open_due,
           (g.figures).newest_due_over_90,
           a.credit_limit, a.limit_locked, a.insured_cover, a.policy, a.model, a.customer_since,
           f.working_capital, f.retained_earnings, f.ebit, f.equity,
           f.total_liabilities, f.total_assets, f.sales,
           COALESCE(e.adverse_events, 0), e.last_event_recorded_at,
           s.score, s.risk_class, s.as_of, s.scored_at, s.open_amount, s.credit_limit_after,
           s.avg_days_beyond_terms, s.days_beyond_terms_stddev,
           s.model, s.recommended_limit,
           a.payment_terms_days, COALESCE(e.event_severity, 0), e.class_cap,
           LEAST(a.credit_limit, ch.lowest_limit),
           CASE WHEN s.as_of OPERATOR(pg_catalog.=) _rescore_items.as_of
                     -- (IS NOT DISTINCT FROM would look "=" up in the caller's search_path)
                     AND (a.credit_limit OPERATOR(pg_catalog.=) s.credit_limit_after
                          OR (a.credit_limit IS NULL AND s.credit_limit_after IS NULL))
                THEN s.credit_limit_before ELSE a.credit_limit END,
           CASE WHEN pg_catalog.has_table_privilege('crisk.promise', 'SELECT')
                THEN COALESCE(bp.broken_promises_12m, 0) END
    FROM crisk.account AS a
    LEFT JOIN (
        SELECT l.customer_id,
               crisk._rescore_ledger(l.amount, l.issue_date, l.due_date, l.paid_date, as_of) AS figures,
               (crisk._rescore_ledger(l.amount, l.issue_date, l.due_date, l.paid_date, as_of)).profile AS profile
        FROM crisk.ledger AS l
        WHERE l.customer_id OPERATOR(pg_catalog.=) ANY (customer_ids)
          AND l.issue_date OPERATOR(pg_catalog.<=) as_of
          -- Without allocations, the ledger rows are the parts: read in
          -- index order, as before allocations existed.
          AND NOT (SELECT EXISTS (SELECT FROM crisk.allocations AS a0))
        GROUP BY l.customer_id
        UNION ALL
        SELECT l.customer_id,
               crisk._rescore_ledger(l.amount, l.issue_date, l.due_date, l.paid_date, as_of) AS figures,
               -- The invoice counts of the whole items, not of the parts.
               crisk._profile_item_counts(
                   (crisk._rescore_ledger(l.amount, l.issue_date, l.due_date, l.paid_date, as_of)).profile,
                   pg_catalog.count(*) FILTER (WHERE l.whole AND l.amount IS NOT NULL AND l.due_date IS NOT NULL),
                   pg_catalog.count(*) FILTER (WHERE l.whole AND l.amount IS NOT NULL AND l.due_date IS NOT NULL
                                                 AND (l.paid_date IS NULL OR l.paid_date OPERATOR(pg_catalog.>) as_of))) AS profile
        FROM crisk.ledger_parts() AS l
        WHERE l.customer_id OPERATOR(pg_catalog.=) ANY (customer_ids)
          AND l.issue_date OPERATOR(pg_catalog.<=) as_of
          AND (SELECT EXISTS (SELECT FROM crisk.allocations AS a0))
        GROUP BY l.customer_id
    ) AS g ON g.customer_id OPERATOR(pg_catalog.=) a.customer_id
    LEFT JOIN LATERAL (
        SELECT f.*
        FROM crisk.financials AS f
        WHERE f.customer_id OPERATOR(pg_catalog.=) a.customer_id
          AND f.fiscal_year_end OPERATOR(pg_catalog.<=) as_of
          AND f.fiscal_year_end OPERATOR(pg_catalog.>) (crisk._as_of_checked(as_of) OPERATOR(pg_catalog.-) '2 years'::pg_catalog.interval)
        ORDER BY f.fiscal_year_end DESC
        LIMIT 1
    ) AS f ON true
    LEFT JOIN LATERAL (
        SELECT pg_catalog.count(*) FILTER (
                   WHERE k.adverse
                     AND ev.occurred_on OPERATOR(pg_catalog.>) crisk._twelve_months_start(crisk._as_of_checked(as_of))
                     AND ev.occurred_on OPERATOR(pg_catalog.<=) as_of)::pg_catalog.int4 AS adverse_events,
               pg_catalog.max(k.severity) FILTER (
                   WHERE ev.occurred_on OPERATOR(pg_catalog.<=) as_of
                     AND (k.in_force_days IS NULL
                          OR ev.occurred_on OPERATOR(pg_catalog.>) (as_of OPERATOR(pg_catalog.-) k.in_force_days))) AS event_severity,
               pg_catalog.max(k.class_cap) FILTER (
                   WHERE ev.occurred_on OPERATOR(pg_catalog.<=) as_of
                     AND (k.in_force_days IS NULL
                          OR ev.occurred_on OPERATOR(pg_catalog.>) (as_of OPERATOR(pg_catalog.-) k.in_force_days))) AS class_cap,
               pg_catalog.max(ev.recorded_at) AS last_event_recorded_at
        FROM crisk.event AS ev
        JOIN crisk.event_kind AS k ON k.kind OPERATOR(pg_catalog.=) ev.kind
        WHERE ev.customer_id OPERATOR(pg_catalog.=) a.customer_id
    ) AS e ON true
    LEFT JOIN LATERAL (
        SELECT pg_catalog.min(LEAST(COALESCE(c.old_limit, 0), c.new_limit)) AS lowest_limit
        FROM crisk.limit_change AS c
        WHERE c.customer_id OPERATOR(pg_catalog.=) a.customer_id
          AND c.changed_at OPERATOR(pg_catalog.>)
              (pg_catalog.now() OPERATOR(pg_catalog.-) pg_catalog.make_interval(0, 0, 0,
                  (SELECT pg_catalog.max(p.review_days) FROM crisk.limit_policy AS p
                   WHERE p.policy OPERATOR(pg_catalog.=) a.policy)))
    ) AS ch ON true
    LEFT JOIN crisk._broken_promises_12m(customer_ids, as_of) AS bp ON bp.customer_id OPERATOR(pg_catalog.=) a.customer_id
    LEFT JOIN crisk.score AS s ON s.customer_id OPERATOR(pg_catalog.=) a.customer_id
    WHERE a.customer_id OPERATOR(pg_catalog.=) ANY (customer_ids)
$$;
COMMENT ON FUNCTION crisk._rescore_items(pg_catalog.text[], pg_catalog.date) IS
    'Internal: what an incremental rescoring pass reads about the given customers, through the per-customer indexes.';
REVOKE ALL ON FUNCTION crisk._rescore_items(pg_catalog.text[], pg_catalog.date) FROM PUBLIC;

-- Scoring proper, in C (src/rescore_compute.c): altman_z, utilization,
-- relationship_months and monthly_sales from what the pass read, then
-- crisk.explain_score (whose points add up to the score), crisk.risk_class
-- (worsened to the class_cap of the events in force) and
-- crisk.recalibrated_limit, called as SQL would call them.
CREATE FUNCTION crisk._rescore_compute(items crisk.rescore_item[], as_of pg_catalog.date)
    RETURNS crisk.rescore_result[]
    AS 'MODULE_PATHNAME', 'crisk_rescore_compute'
    LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION crisk._rescore_compute(crisk.rescore_item[], pg_catalog.date) IS
    'Internal: scores a batch of customers (score, class, reasons, recalibrated limit) from what the pass read.';
REVOKE ALL ON FUNCTION crisk._rescore_compute(crisk.rescore_item[], pg_catalog.date) FROM PUBLIC;
