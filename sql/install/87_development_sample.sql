-- crisk.development_sample: each customer's characteristics on an
-- observation date and whether they went bad within a horizon after it,
-- the input of crisk.fit_scorecard.
--
-- The characteristics are those a rescoring pass as of the observation date
-- computes (crisk._rescore_worklist and crisk._rescore_compute: the ledger
-- as it stood then, financial statements closed by then, events that had
-- occurred by then), except that the credit limit behind utilization is the
-- one in force on the observation date, read back from crisk.limit_change,
-- not today's (for an account created in crisk after the observation date,
-- with its history loaded, the limit it was created with).  Customers without an account, or without an invoice issued
-- by the observation date, are not in the sample.
--
-- Bad: an invoice of the customer reached bad_days_past_due days past due
-- (its due date + bad_days_past_due fell after the observation date and
-- within the horizon, and it was not paid by that day), or insolvency
-- proceedings (event kinds safeguard, receivership, liquidation) occurred
-- within the horizon.
--
-- It runs with the caller's rights and reads what a rescoring pass reads,
-- through the same internal functions: it needs the rights of the role the
-- worker runs as (crisk.grant_worker_privileges), and PUBLIC may not run it.
CREATE FUNCTION crisk.development_sample(observation_date pg_catalog.date,
                                         horizon pg_catalog.interval DEFAULT '12 months',
                                         bad_days_past_due pg_catalog.int4 DEFAULT 90)
    RETURNS TABLE (customer_id pg_catalog.text,
                   avg_days_beyond_terms pg_catalog.float8,
                   late_share pg_catalog.float8,
                   max_days_late pg_catalog.int4,
                   utilization pg_catalog.float8,
                   altman_z pg_catalog.float8,
                   adverse_events pg_catalog.int4,
                   relationship_months pg_catalog.int4,
                   event_severity pg_catalog.int4,
                   broken_promises_12m pg_catalog.int4,
                   bad pg_catalog.bool)
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    horizon_end pg_catalog.date;
BEGIN
    IF development_sample.observation_date IS NULL THEN
        RAISE EXCEPTION 'observation_date must not be NULL' USING ERRCODE = '22004';
    END IF;
    IF NOT pg_catalog.isfinite(development_sample.observation_date) THEN
        RAISE EXCEPTION 'observation_date must be a finite date' USING ERRCODE = '22023';
    END IF;
    IF development_sample.horizon IS NULL OR development_sample.bad_days_past_due IS NULL THEN
        RAISE EXCEPTION 'horizon and bad_days_past_due must not be NULL' USING ERRCODE = '22004';
    END IF;
    horizon_end := (development_sample.observation_date OPERATOR(pg_catalog.+) development_sample.horizon)::pg_catalog.date;
    IF horizon_end OPERATOR(pg_catalog.<=) development_sample.observation_date THEN
        RAISE EXCEPTION 'horizon must be at least a day' USING ERRCODE = '22023',
            DETAIL = pg_catalog.format('horizon is %s.', development_sample.horizon);
    END IF;
    IF development_sample.bad_days_past_due OPERATOR(pg_catalog.<=) 0 THEN
        RAISE EXCEPTION 'bad_days_past_due must be positive' USING ERRCODE = '22023',
            DETAIL = pg_catalog.format('bad_days_past_due is %s.', development_sample.bad_days_past_due);
    END IF;

    RETURN QUERY
    WITH worklist AS (
        SELECT w AS item,
               -- the limit in force at the end of the observation date
               (SELECT c.new_limit FROM crisk.limit_change AS c
                WHERE c.customer_id OPERATOR(pg_catalog.=) w.customer_id
                  AND c.changed_at OPERATOR(pg_catalog.<) (development_sample.observation_date OPERATOR(pg_catalog.+) 1)
                ORDER BY c.changed_at DESC, c.change_id DESC LIMIT 1) AS limit_before,
               EXISTS (SELECT FROM crisk.limit_change AS c
                       WHERE c.customer_id OPERATOR(pg_catalog.=) w.customer_id
                         AND c.changed_at OPERATOR(pg_catalog.<) (development_sample.observation_date OPERATOR(pg_catalog.+) 1)) AS changed_before,
               -- else the limit the first later change replaced; a later
               -- change that created the account (old_locked NULL) replaced
               -- nothing, and its limit is the earliest known
               (SELECT CASE WHEN c.old_locked IS NULL THEN c.new_limit ELSE c.old_limit END
                FROM crisk.limit_change AS c
                WHERE c.customer_id OPERATOR(pg_catalog.=) w.customer_id
                  AND c.changed_at OPERATOR(pg_catalog.>=) (development_sample.observation_date OPERATOR(pg_catalog.+) 1)
                ORDER BY c.changed_at, c.change_id LIMIT 1) AS limit_after,
               EXISTS (SELECT FROM crisk.limit_change AS c
                       WHERE c.customer_id OPERATOR(pg_catalog.=) w.customer_id
                         AND c.changed_at OPERATOR(pg_catalog.>=) (development_sample.observation_date OPERATOR(pg_catalog.+) 1)) AS changed_after
        FROM crisk._rescore_worklist(development_sample.observation_date) AS w
        WHERE NOT (w.profile IS NULL)
    ), items AS (
        SELECT pg_catalog.array_agg(
                   CASE WHEN k.changed_before OR k.changed_after
                        THEN pg_catalog.jsonb_populate_record(k.item, pg_catalog.jsonb_build_object(
                                 'credit_limit',
                                 CASE WHEN k.changed_before THEN k.limit_before ELSE k.limit_after END,
                                 -- the limit utilization is measured against
                                 'utilization_limit',
                                 CASE WHEN k.changed_before THEN k.limit_before ELSE k.limit_after END))
                        ELSE k.item END) AS items
        FROM worklist AS k
    ), went_late AS (
        SELECT DISTINCT l.customer_id
        FROM crisk.ledger AS l
        WHERE l.issue_date OPERATOR(pg_catalog.<=) horizon_end
          AND (l.due_date OPERATOR(pg_catalog.+) development_sample.bad_days_past_due)
              OPERATOR(pg_catalog.>) development_sample.observation_date
          AND (l.due_date OPERATOR(pg_catalog.+) development_sample.bad_days_past_due)
              OPERATOR(pg_catalog.<=) horizon_end
          AND (l.paid_date IS NULL
               OR l.paid_date OPERATOR(pg_catalog.>) (l.due_date OPERATOR(pg_catalog.+) development_sample.bad_days_past_due))
    ), went_insolvent AS (
        SELECT DISTINCT e.customer_id
        FROM crisk.event AS e
        WHERE e.kind OPERATOR(pg_catalog.=) ANY (ARRAY['safeguard', 'receivership', 'liquidation']::pg_catalog.text[])
          AND e.occurred_on OPERATOR(pg_catalog.>) development_sample.observation_date
          AND e.occurred_on OPERATOR(pg_catalog.<=) horizon_end
    )
    SELECT r.customer_id,
           ((r.item).profile).avg_days_beyond_terms,
           ((r.item).profile).late_share,
           ((r.item).profile).max_days_late,
           r.utilization, r.altman_z, (r.item).adverse_events, r.relationship_months,
           (r.item).event_severity, (r.item).broken_promises_12m,
           (g.customer_id IS NOT NULL OR i.customer_id IS NOT NULL)
    FROM items,
         LATERAL pg_catalog.unnest(crisk._rescore_compute(items.items, development_sample.observation_date)) AS r
         LEFT JOIN went_late AS g ON g.customer_id OPERATOR(pg_catalog.=) r.customer_id
         LEFT JOIN went_insolvent AS i ON i.customer_id OPERATOR(pg_catalog.=) r.customer_id
    ORDER BY r.customer_id;
END
$$;
COMMENT ON FUNCTION crisk.development_sample(pg_catalog.date, pg_catalog.interval, pg_catalog.int4) IS
    'Development sample for crisk.fit_scorecard: each customer''s characteristics as known on observation_date (limit then in force included) and bad = an invoice reached bad_days_past_due days past due, or insolvency proceedings occurred, within the horizon after it.';
REVOKE ALL ON FUNCTION crisk.development_sample(pg_catalog.date, pg_catalog.interval, pg_catalog.int4) FROM PUBLIC;
