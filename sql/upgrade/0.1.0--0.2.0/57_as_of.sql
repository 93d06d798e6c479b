-- As-of purity (SPEC section 5.2): the *_at functions answer from what was
-- known on their date, and the views are those functions at today.  The
-- helpers they read (crisk.scores_at, crisk.limits_at, crisk.ledger_parts)
-- come with the allocations, in 45_allocations.sql.

-- crisk.portfolio_kpi_at is created once, in 50_collections.sql (its result
-- type changes there), with every change to it.

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
        AND e.occurred_on OPERATOR(pg_catalog.>) crisk._twelve_months_start(crisk._as_of_checked($1))
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
