-- Robustness (issue 15, items 5, 8 and 9).

-- crisk.invoice refuses amounts its exact totals cannot hold (51_ledger.sql).
-- Rows already there are checked first, so that the upgrade stops with a
-- message saying which invoices to correct rather than a bare violation.
CREATE FUNCTION crisk.require_exact_amount(amount pg_catalog.numeric)
    RETURNS pg_catalog.bool
    AS 'MODULE_PATHNAME', 'crisk_require_exact_amount'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION crisk.require_exact_amount(pg_catalog.numeric) IS
    'True when crisk''s exact totals can hold the amount (at most 8 decimal places, absolute value below 10^30); otherwise raises 22003 (22023 for NaN or infinity) saying why. crisk.invoice checks its amounts with it.';

DO $$
DECLARE
    bad pg_catalog.int8;
    example pg_catalog.text;
BEGIN
    SELECT pg_catalog.count(*), pg_catalog.min(i.invoice_id) INTO bad, example
    FROM crisk.invoice AS i
    WHERE pg_catalog.min_scale(i.amount) OPERATOR(pg_catalog.>) 8
       OR pg_catalog.abs(i.amount) OPERATOR(pg_catalog.>=) '1e30'::pg_catalog.numeric;
    IF bad OPERATOR(pg_catalog.>) 0 THEN
        RAISE EXCEPTION '% invoices of crisk.invoice have amounts crisk''s exact totals cannot hold, for example invoice %',
                bad, example
            USING ERRCODE = '22003',
                  DETAIL = 'crisk 0.2.0 accepts amounts with at most 8 decimal places and below 10^30 in absolute value.',
                  HINT = 'Correct them, for example UPDATE crisk.invoice SET amount = round(amount, 2) WHERE min_scale(amount) > 8, then run ALTER EXTENSION crisk UPDATE again.';
    END IF;
END
$$;
ALTER TABLE crisk.invoice
    ADD CONSTRAINT invoice_amount_within_exact_range CHECK (crisk.require_exact_amount(amount));

-- Extreme as-of dates raise 22023 naming as_of (06_argument_checks.sql):
-- the check, and the functions that look back from as_of with it.
CREATE FUNCTION crisk._as_of_checked(as_of pg_catalog.date)
    RETURNS pg_catalog.date
    AS 'MODULE_PATHNAME', 'crisk_as_of_checked'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION crisk._as_of_checked(pg_catalog.date) IS
    'Internal: returns as_of, or raises 22023 naming it when it is infinite or outside 4712-11-24 BC to 294276-12-31, the dates crisk can look back two years from.';

-- from 63_watchlist.sql
CREATE OR REPLACE FUNCTION crisk.watchlist_at(as_of pg_catalog.date)
    RETURNS TABLE (customer_id pg_catalog.text, name pg_catalog.text, segment pg_catalog.text,
                   reason pg_catalog.text, observed_on pg_catalog.date,
                   risk_class pg_catalog.text, score pg_catalog.int4,
                   class_from pg_catalog.text, class_to pg_catalog.text,
                   exposure pg_catalog.numeric, credit_limit pg_catalog.numeric,
                   amount_over_limit pg_catalog.numeric,
                   event_kind pg_catalog.text, adverse_events pg_catalog.int4)
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
#variable_conflict use_column
DECLARE
    on_day pg_catalog.date := watchlist_at.as_of;
BEGIN
    IF on_day IS NULL THEN
        RAISE EXCEPTION 'as_of must not be null'
            USING ERRCODE = '22004', HINT = 'Give a date; crisk.watchlist is the watch-list as of today.';
    END IF;
    IF NOT pg_catalog.isfinite(on_day) THEN
        RAISE EXCEPTION 'as_of must be a finite date'
            USING ERRCODE = '22023', DETAIL = pg_catalog.format('as_of is %s.', on_day);
    END IF;
    PERFORM crisk._as_of_checked(on_day);
    RETURN QUERY
    WITH exposure AS (
        SELECT l.customer_id, pg_catalog.sum(l.amount) AS exposure
        FROM crisk.ledger l
        WHERE l.issue_date OPERATOR(pg_catalog.<=) on_day
          AND (l.paid_date IS NULL OR l.paid_date OPERATOR(pg_catalog.>) on_day)
        GROUP BY l.customer_id
    ), reasons AS (
        SELECT s.customer_id, 'high_risk_class'::pg_catalog.text AS reason, s.as_of AS observed_on,
               NULL::pg_catalog.text AS class_from, NULL::pg_catalog.text AS class_to,
               NULL::pg_catalog.text AS event_kind, NULL::pg_catalog.int4 AS adverse_events
        FROM crisk.score s
        WHERE s.risk_class OPERATOR(pg_catalog.=) ANY ('{D,E}'::pg_catalog.text[])
        UNION ALL
        (SELECT DISTINCT ON (h.customer_id)
               h.customer_id, 'downgrade', h.as_of, h.previous_risk_class, h.risk_class, NULL, NULL
        FROM crisk.score_history h
        WHERE h.risk_class_since OPERATOR(pg_catalog.=) h.scored_at
          AND h.previous_risk_class IS NOT NULL
          AND h.as_of OPERATOR(pg_catalog.>) (on_day OPERATOR(pg_catalog.-) 30)
          AND h.as_of OPERATOR(pg_catalog.<=) on_day
          AND h.risk_class OPERATOR(pg_catalog.>) h.previous_risk_class
        ORDER BY h.customer_id, h.as_of DESC, h.scored_at DESC, h.history_id DESC)
        UNION ALL
        SELECT a.customer_id, 'limit_breach', on_day, NULL, NULL, NULL, NULL
        FROM crisk.account a
        JOIN exposure x ON x.customer_id OPERATOR(pg_catalog.=) a.customer_id
        WHERE x.exposure OPERATOR(pg_catalog.>) a.credit_limit
        UNION ALL
        (SELECT DISTINCT ON (e.customer_id)
               e.customer_id, 'adverse_event', e.occurred_on, NULL, NULL, e.kind,
               (pg_catalog.count(*) OVER (PARTITION BY e.customer_id))::pg_catalog.int4
        FROM crisk.event e
        JOIN crisk.event_kind k ON k.kind OPERATOR(pg_catalog.=) e.kind
        WHERE k.adverse
          AND e.occurred_on OPERATOR(pg_catalog.>) (on_day OPERATOR(pg_catalog.-) '1 year'::pg_catalog.interval)::pg_catalog.date
          AND e.occurred_on OPERATOR(pg_catalog.<=) on_day
        ORDER BY e.customer_id, e.occurred_on DESC, e.event_id DESC)
    )
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
           a.credit_limit,
           CASE WHEN r.reason OPERATOR(pg_catalog.=) 'limit_breach'
                THEN x.exposure OPERATOR(pg_catalog.-) a.credit_limit END,
           r.event_kind,
           r.adverse_events
    FROM reasons r
    LEFT JOIN crisk.account a ON a.customer_id OPERATOR(pg_catalog.=) r.customer_id
    LEFT JOIN crisk.score s ON s.customer_id OPERATOR(pg_catalog.=) r.customer_id
    LEFT JOIN exposure x ON x.customer_id OPERATOR(pg_catalog.=) r.customer_id;
END
$$;

-- crisk._rescore_worklist and crisk._rescore_items, with their argument checks,
-- are replaced once, in 40_limits.sql, which carries every change to them.

-- Truthful labels (test/pgtap/catalog_hygiene.sql): functions that only
-- compute or only read crisk's own tables and catalogs are PARALLEL SAFE.
ALTER FUNCTION crisk._rescore_ledger_transition(pg_catalog.internal, pg_catalog.numeric, pg_catalog.date, pg_catalog.date, pg_catalog.date, pg_catalog.date)
    PARALLEL SAFE;
ALTER FUNCTION crisk._rescore_ledger_final(pg_catalog.internal) PARALLEL SAFE;
CREATE OR REPLACE AGGREGATE crisk._rescore_ledger(amount pg_catalog.numeric, issue_date pg_catalog.date,
                                                  due_date pg_catalog.date, paid_date pg_catalog.date,
                                                  as_of pg_catalog.date) (
    SFUNC = crisk._rescore_ledger_transition,
    STYPE = pg_catalog.internal,
    FINALFUNC = crisk._rescore_ledger_final,
    FINALFUNC_MODIFY = READ_ONLY,
    PARALLEL = SAFE
);
ALTER FUNCTION crisk._rescore_compute(crisk.rescore_item[], pg_catalog.date) PARALLEL SAFE;
ALTER FUNCTION crisk.ledger_problems(pg_catalog.regclass) PARALLEL SAFE;
ALTER FUNCTION crisk.provision_matrix_rates(pg_catalog.text) PARALLEL SAFE;
