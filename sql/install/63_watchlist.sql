-- The watch-list: the customers a credit manager must look at, one row per
-- customer and reason, with plain columns a BI tool can filter and sort.
-- The reasons:
--   high_risk_class  the customer's risk class on as_of is D or E;
--   downgrade        the customer's class worsened in the 30 days up to as_of
--                    (crisk.score_history: the most recent such change);
--   limit_breach     open receivables exceed the credit limit in force;
--   adverse_event    an adverse legal event (crisk.event_kind.adverse) occurred
--                    in the 12 months up to as_of, the window scoring counts
--                    adverse events over (the latest one, and how many).
--
-- crisk.watchlist_at(as_of) answers from what was known on as_of:
-- exposures open at as_of (issued by then, what the allocations applied by
-- then left of them: crisk.ledger_parts), the classes and scores of
-- crisk.scores_at(as_of), the limits of crisk.limits_at(as_of), the
-- downgrade and event windows ending at as_of.  Later passes, limit
-- changes and events leave a past date's list alone.  crisk.watchlist is
-- crisk.watchlist_at(CURRENT_DATE), no second copy of the query: the
-- function is an inlinable SQL function (no SET clause, every name
-- qualified), so a filter on customer_id on the view reaches the tables'
-- indexes (test/sql/as_of.sql shows the plan).
--
-- A class change is found in the history row that made it: rescoring
-- upserts crisk.score, whose trigger sets risk_class_since to the new
-- scored_at and previous_risk_class to the class left when the class
-- changes, and copies the row into crisk.score_history.  The partial index
-- below holds only those rows, so that finding the recent ones never reads
-- the daily full passes' history.  The windows use the score's as_of date
-- (the day it describes), not the time the pass ran.

CREATE INDEX score_history_class_change_idx ON crisk.score_history (as_of)
    WHERE risk_class_since = scored_at AND previous_risk_class IS NOT NULL;

CREATE FUNCTION crisk.watchlist_at(as_of pg_catalog.date)
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

CREATE VIEW crisk.watchlist WITH (security_invoker = true) AS
    SELECT w.customer_id, w.name, w.segment, w.reason, w.observed_on, w.risk_class, w.score,
           w.class_from, w.class_to, w.exposure, w.credit_limit, w.amount_over_limit,
           w.event_kind, w.adverse_events
    FROM crisk.watchlist_at(CURRENT_DATE) AS w;
COMMENT ON VIEW crisk.watchlist IS
    'Customers to watch, as of today, one row per customer and reason: high_risk_class (current class D or E), downgrade (class worsened in the last 30 days), limit_breach (open receivables above the credit limit), adverse_event (adverse legal event in the last 12 months). For another date: crisk.watchlist_at(as_of).';
COMMENT ON COLUMN crisk.watchlist.customer_id IS 'Customer code.';
COMMENT ON COLUMN crisk.watchlist.name IS 'Customer name from crisk.account; NULL without an account.';
COMMENT ON COLUMN crisk.watchlist.segment IS 'Customer segment from crisk.account.';
COMMENT ON COLUMN crisk.watchlist.reason IS 'Why the customer is listed: high_risk_class, downgrade, limit_breach or adverse_event.';
COMMENT ON COLUMN crisk.watchlist.observed_on IS 'Date of the fact: the as-of date of the current score (high_risk_class) or of the score that downgraded (downgrade), the date of the list (limit_breach), the date the latest adverse event occurred (adverse_event).';
COMMENT ON COLUMN crisk.watchlist.risk_class IS 'Current risk class A (best) to E (crisk.score); NULL when not scored.';
COMMENT ON COLUMN crisk.watchlist.score IS 'Current score 0 (worst) to 100 (crisk.score); NULL when not scored.';
COMMENT ON COLUMN crisk.watchlist.class_from IS 'downgrade: the class before the most recent downgrade in the window; NULL for other reasons.';
COMMENT ON COLUMN crisk.watchlist.class_to IS 'downgrade: the class after it (the current class may have changed since); NULL for other reasons.';
COMMENT ON COLUMN crisk.watchlist.exposure IS 'Open receivables of the customer (credit notes deducted); NULL when nothing is open.';
COMMENT ON COLUMN crisk.watchlist.credit_limit IS 'Credit limit in force; NULL when none is set or without an account.';
COMMENT ON COLUMN crisk.watchlist.amount_over_limit IS 'limit_breach: exposure minus credit_limit; NULL for other reasons.';
COMMENT ON COLUMN crisk.watchlist.event_kind IS 'adverse_event: kind of the latest adverse event (crisk.event_kind); NULL for other reasons.';
COMMENT ON COLUMN crisk.watchlist.adverse_events IS 'adverse_event: adverse events in the 12 months; NULL for other reasons.';
REVOKE ALL ON crisk.watchlist FROM PUBLIC;

