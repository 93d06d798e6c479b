-- 0.1.0 -> 0.2.0, SPEC 5.1: limits that behave, alerts that mean
-- something, events that weigh (install parts 40, 41, 42, 52, 54, 73, 74).
--
-- Function bodies are those of the install parts, verbatim.

-- crisk.limit_policy: months_of_sales becomes class_factor, with payment
-- terms, tolerance, a review window and a breach tolerance.
ALTER TABLE crisk.limit_policy
    ADD COLUMN class_factor pg_catalog.numeric,
    ADD COLUMN tolerance_days pg_catalog.int4 NOT NULL DEFAULT 0,
    ADD COLUMN default_terms_days pg_catalog.int4 NOT NULL DEFAULT 30,
    ADD COLUMN review_days pg_catalog.int4 NOT NULL DEFAULT 30,
    ADD COLUMN breach_tolerance pg_catalog.numeric NOT NULL DEFAULT 0;
-- Users' policies keep their targets for an account on default terms:
-- 0.1.0's target was monthly_sales x months_of_sales; 0.2.0's is daily
-- sales x (terms + tolerance) x class_factor.  With terms of 30 days and no
-- tolerance (the defaults above), class_factor = months_of_sales x 30 /
-- (default_terms_days + tolerance_days) = months_of_sales gives the same
-- target (to the 30.42 days of an average month); accounts with payment
-- terms of their own now get targets in proportion to them.  No breach
-- tolerance: alerts as in 0.1.0.
UPDATE crisk.limit_policy
   SET class_factor = pg_catalog.round(months_of_sales OPERATOR(pg_catalog.*) 30
                                       OPERATOR(pg_catalog./) (default_terms_days OPERATOR(pg_catalog.+) tolerance_days), 4)
 WHERE policy OPERATOR(pg_catalog.<>) 'default';
-- The shipped policy takes 0.2.0's figures.
UPDATE crisk.limit_policy AS p
   SET max_increase = v.max_increase, initial_limit = v.initial_limit, rounding = v.rounding,
       class_factor = v.class_factor, tolerance_days = v.tolerance_days,
       default_terms_days = v.default_terms_days, review_days = v.review_days,
       breach_tolerance = v.breach_tolerance
  FROM (VALUES
        ('default', 'A', 0.50, 50000, 1000, 1.50, 45, 45, 30, 0.10),
        ('default', 'B', 0.25, 20000, 1000, 1.25, 45, 45, 30, 0.10),
        ('default', 'C', 0.10, 10000,  500, 1.00, 45, 45, 30, 0.10),
        ('default', 'D', 0.00,  2000,  100, 1.00,  0, 45, 30, 0.10),
        ('default', 'E', 0.00,     0,  100, 0.00,  0, 45, 30, 0.10)
       ) AS v(policy, risk_class, max_increase, initial_limit, rounding, class_factor,
              tolerance_days, default_terms_days, review_days, breach_tolerance)
 WHERE p.policy OPERATOR(pg_catalog.=) v.policy AND p.risk_class OPERATOR(pg_catalog.=) v.risk_class;
ALTER TABLE crisk.limit_policy ALTER COLUMN class_factor SET NOT NULL;
ALTER TABLE crisk.limit_policy DROP COLUMN months_of_sales;
ALTER TABLE crisk.limit_policy ADD CONSTRAINT limit_policy_class_factor_range
        CHECK (class_factor OPERATOR(pg_catalog.>=) 0
               AND class_factor OPERATOR(pg_catalog.<) 'Infinity'::pg_catalog.numeric);
ALTER TABLE crisk.limit_policy ADD CONSTRAINT limit_policy_tolerance_days_range
        CHECK (tolerance_days OPERATOR(pg_catalog.>=) 0);
ALTER TABLE crisk.limit_policy ADD CONSTRAINT limit_policy_default_terms_days_range
        CHECK (default_terms_days OPERATOR(pg_catalog.>=) 0);
ALTER TABLE crisk.limit_policy ADD CONSTRAINT limit_policy_review_days_range
        CHECK (review_days OPERATOR(pg_catalog.>) 0);
ALTER TABLE crisk.limit_policy ADD CONSTRAINT limit_policy_breach_tolerance_range
        CHECK (breach_tolerance OPERATOR(pg_catalog.>=) 0
               AND breach_tolerance OPERATOR(pg_catalog.<) 'Infinity'::pg_catalog.numeric);
COMMENT ON TABLE crisk.limit_policy IS
    'Credit-limit policies, one row per risk class A to E, read by crisk.recalibrated_limit and rescoring. Policy ''default'' is shipped and read-only.';
COMMENT ON COLUMN crisk.limit_policy.policy IS
    'Policy name, passed as the policy argument of crisk.recalibrated_limit.';
COMMENT ON COLUMN crisk.limit_policy.risk_class IS
    'Risk class the row applies to: A, B, C, D or E (see crisk.risk_class).';
COMMENT ON COLUMN crisk.limit_policy.max_increase IS
    'Largest rise within review_days, as a fraction of the lowest limit in force during those days (0.25: +25 %); decreases are never capped.';
COMMENT ON COLUMN crisk.limit_policy.initial_limit IS
    'What a new customer (no limit yet, or a limit of 0) starts with, capped by the target.';
COMMENT ON COLUMN crisk.limit_policy.rounding IS
    'The new limit is rounded down to a multiple of this amount (to a finer power of ten when that would give 0).';
COMMENT ON COLUMN crisk.limit_policy.class_factor IS
    'Target = average daily credit sales x (payment_terms_days + tolerance_days) x class_factor: 1 covers what a customer paying on terms owes at most; 0 grants no credit.';
COMMENT ON COLUMN crisk.limit_policy.tolerance_days IS
    'Days added to the payment terms in the target: the lateness the policy tolerates for this class.';
COMMENT ON COLUMN crisk.limit_policy.default_terms_days IS
    'Payment terms in days for an account whose payment_terms_days is NULL.';
COMMENT ON COLUMN crisk.limit_policy.review_days IS
    'Length of the review window in days: within any such window a limit rises at most by max_increase (read from crisk.limit_change).';
COMMENT ON COLUMN crisk.limit_policy.breach_tolerance IS
    'Fraction of the limit by which open receivables may exceed it before rescoring raises a limit_breach alert (0.10: 10 %).';

DROP FUNCTION crisk.recalibrated_limit(pg_catalog.numeric, pg_catalog.int4, pg_catalog.numeric,
                                       pg_catalog.numeric, pg_catalog.text);
CREATE FUNCTION crisk.recalibrated_limit(current_limit pg_catalog.numeric,
                                         score pg_catalog.int4,
                                         monthly_sales pg_catalog.numeric,
                                         insured_cover pg_catalog.numeric DEFAULT NULL,
                                         policy pg_catalog.text DEFAULT 'default',
                                         payment_terms_days pg_catalog.int4 DEFAULT NULL,
                                         review_base_limit pg_catalog.numeric DEFAULT NULL,
                                         class_cap pg_catalog.text DEFAULT NULL)
    RETURNS pg_catalog.numeric
    AS 'MODULE_PATHNAME', 'crisk_recalibrated_limit'
    LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION crisk.recalibrated_limit(pg_catalog.numeric, pg_catalog.int4, pg_catalog.numeric,
                                             pg_catalog.numeric, pg_catalog.text, pg_catalog.int4,
                                             pg_catalog.numeric, pg_catalog.text) IS
    'New credit limit under a limit policy: target = daily sales (monthly_sales x 12 / 365) x (payment terms + tolerance days) x class factor, capped by insurer cover; new customers start at the initial limit; decreases apply at once; an increase is capped at review_base_limit (the lowest limit in force in the review window; default current_limit) x (1 + max_increase); rounded down, never to 0 from a positive target, and never below what a worse class would get.';

-- The scorecard characteristic event_severity replaces the count of
-- adverse events in the shipped model.
ALTER TABLE crisk.scorecard DROP CONSTRAINT scorecard_characteristic_known;
ALTER TABLE crisk.scorecard ADD CONSTRAINT scorecard_characteristic_known
        CHECK (characteristic OPERATOR(pg_catalog.=) ANY (ARRAY[
            'avg_days_beyond_terms', 'late_share', 'max_days_late', 'utilization',
            'altman_z', 'adverse_events', 'event_severity', 'relationship_months']::pg_catalog.text[]));
COMMENT ON COLUMN crisk.scorecard.characteristic IS
    'One of avg_days_beyond_terms, late_share, max_days_late, utilization, altman_z, adverse_events, event_severity, relationship_months.';
DELETE FROM crisk.scorecard
 WHERE model OPERATOR(pg_catalog.=) 'default' AND characteristic OPERATOR(pg_catalog.=) 'adverse_events';
INSERT INTO crisk.scorecard (model, characteristic, lower_bound, upper_bound, points) VALUES
    ('default', 'event_severity', NULL, NULL,  8),
    ('default', 'event_severity', NULL,    1, 15),
    ('default', 'event_severity',    1,    2,  8),
    ('default', 'event_severity',    2,    3,  3),
    ('default', 'event_severity',    3, NULL,  0);

DROP FUNCTION crisk.credit_score(crisk.payment_profile, pg_catalog.float8, pg_catalog.int4,
                                 pg_catalog.float8, pg_catalog.int4, pg_catalog.text);
DROP FUNCTION crisk.explain_score(crisk.payment_profile, pg_catalog.float8, pg_catalog.int4,
                                  pg_catalog.float8, pg_catalog.int4, pg_catalog.text);
CREATE FUNCTION crisk.credit_score(profile crisk.payment_profile,
                                   altman_z pg_catalog.float8 DEFAULT NULL,
                                   adverse_events pg_catalog.int4 DEFAULT 0,
                                   utilization pg_catalog.float8 DEFAULT NULL,
                                   relationship_months pg_catalog.int4 DEFAULT NULL,
                                   model pg_catalog.text DEFAULT 'default',
                                   event_severity pg_catalog.int4 DEFAULT 0)
    RETURNS pg_catalog.int4
    AS 'MODULE_PATHNAME', 'crisk_credit_score'
    LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION crisk.credit_score(crisk.payment_profile, pg_catalog.float8, pg_catalog.int4,
                                       pg_catalog.float8, pg_catalog.int4, pg_catalog.text,
                                       pg_catalog.int4) IS
    'Credit score from 0 (worst) to 100 (best): the points a scorecard model gives the payment profile, Altman Z, adverse events, utilization, relationship length and the highest severity (0-3) of legal events in force; unknown values earn the missing-value points.';

CREATE FUNCTION crisk.explain_score(profile crisk.payment_profile,
                                    altman_z pg_catalog.float8 DEFAULT NULL,
                                    adverse_events pg_catalog.int4 DEFAULT 0,
                                    utilization pg_catalog.float8 DEFAULT NULL,
                                    relationship_months pg_catalog.int4 DEFAULT NULL,
                                    model pg_catalog.text DEFAULT 'default',
                                    event_severity pg_catalog.int4 DEFAULT 0)
    RETURNS TABLE (characteristic pg_catalog.text, value pg_catalog.float8,
                   points pg_catalog.int4, max_points pg_catalog.int4)
    AS 'MODULE_PATHNAME', 'crisk_explain_score'
    LANGUAGE C STABLE PARALLEL SAFE ROWS 8;
COMMENT ON FUNCTION crisk.explain_score(crisk.payment_profile, pg_catalog.float8, pg_catalog.int4,
                                        pg_catalog.float8, pg_catalog.int4, pg_catalog.text,
                                        pg_catalog.int4) IS
    'The reasons for crisk.credit_score: per characteristic of the model, the value used (NULL when unknown), the points earned and the most it could earn; the points add up to the score.';

-- crisk.event_kind: severity, class cap, time in force; shipped kinds may
-- be tuned and users add their own.  Every 0.1.0 kind was shipped.
DROP TRIGGER event_kind_shipped ON crisk.event_kind;
DROP TRIGGER event_kind_shipped_truncate ON crisk.event_kind;
ALTER TABLE crisk.event_kind
    ADD COLUMN severity pg_catalog.int4 NOT NULL DEFAULT 0,
    ADD COLUMN class_cap pg_catalog.text,
    ADD COLUMN in_force_days pg_catalog.int4 DEFAULT 365,
    ADD COLUMN shipped pg_catalog.bool NOT NULL DEFAULT false;
ALTER TABLE crisk.event_kind ADD CONSTRAINT event_kind_severity_range CHECK (severity BETWEEN 0 AND 3);
ALTER TABLE crisk.event_kind ADD CONSTRAINT event_kind_class_cap_valid CHECK (class_cap IN ('A', 'B', 'C', 'D', 'E'));
ALTER TABLE crisk.event_kind ADD CONSTRAINT event_kind_in_force_days_valid CHECK (in_force_days > 0);
UPDATE crisk.event_kind AS k
   SET severity = v.severity, class_cap = v.class_cap, in_force_days = v.in_force_days, shipped = true
  FROM (VALUES
        ('safeguard', 2, 'D'::pg_catalog.text, 730::pg_catalog.int4),
        ('receivership', 3, 'E'::pg_catalog.text, NULL::pg_catalog.int4),
        ('liquidation', 3, 'E'::pg_catalog.text, NULL::pg_catalog.int4),
        ('capital_loss', 2, NULL::pg_catalog.text, 730::pg_catalog.int4),
        ('dissolution', 3, 'E'::pg_catalog.text, NULL::pg_catalog.int4),
        ('strike_off', 3, 'E'::pg_catalog.text, NULL::pg_catalog.int4),
        ('lien', 2, NULL::pg_catalog.text, 365::pg_catalog.int4),
        ('pledge', 1, NULL::pg_catalog.text, 365::pg_catalog.int4),
        ('director_change', 0, NULL::pg_catalog.text, 365::pg_catalog.int4),
        ('office_transfer', 0, NULL::pg_catalog.text, 365::pg_catalog.int4),
        ('business_sale', 1, NULL::pg_catalog.text, 365::pg_catalog.int4),
        ('lease_management', 1, NULL::pg_catalog.text, 365::pg_catalog.int4),
        ('other', 0, NULL::pg_catalog.text, 365::pg_catalog.int4)
       ) AS v(kind, severity, class_cap, in_force_days)
 WHERE k.kind OPERATOR(pg_catalog.=) v.kind;
UPDATE crisk.event_kind SET shipped = true;
COMMENT ON TABLE crisk.event_kind IS
    'Kinds of legal and financial events crisk.event records: whether each is adverse, what it does to order checks and for how many days, its severity and class cap for scoring and limits, and how long it stays in force. Shipped kinds may be tuned, not deleted or renamed; users add their own.';
COMMENT ON COLUMN crisk.event_kind.severity IS
    'Severity 0 (none) to 3 (insolvency): the scorecard characteristic event_severity is the highest severity of a customer''s events in force.';
COMMENT ON COLUMN crisk.event_kind.class_cap IS
    'Best risk class a customer with such an event in force can have (E: no credit under the default policy); NULL: no cap.';
COMMENT ON COLUMN crisk.event_kind.in_force_days IS
    'Days an event of this kind stays in force for scoring and limits after it occurred; NULL: for ever.';
COMMENT ON COLUMN crisk.event_kind.shipped IS
    'True for the kinds shipped with crisk: they may be tuned, not deleted or renamed.';
SELECT pg_catalog.pg_extension_config_dump('crisk.event_kind', '');
CREATE FUNCTION crisk.event_kind_guard()
    RETURNS trigger
    AS 'MODULE_PATHNAME', 'crisk_event_kind_guard'
    LANGUAGE C;
COMMENT ON FUNCTION crisk.event_kind_guard() IS
    'Trigger function on crisk.event_kind: shipped kinds may be tuned but not deleted or renamed; inserting a shipped kind''s row again (a restore) applies its parameters to the kind.';
REVOKE ALL ON FUNCTION crisk.event_kind_guard() FROM PUBLIC;
CREATE TRIGGER event_kind_shipped
    BEFORE INSERT OR UPDATE OR DELETE ON crisk.event_kind
    FOR EACH ROW EXECUTE FUNCTION crisk.event_kind_guard();
CREATE TRIGGER event_kind_shipped_truncate
    BEFORE TRUNCATE ON crisk.event_kind
    FOR EACH STATEMENT EXECUTE FUNCTION crisk.event_kind_guard();

COMMENT ON COLUMN crisk.score.credit_limit_before IS 'Limit in force before the first pass as of this date (the limit utilization is measured against); a pass run again for the same date keeps it.';

-- Rescoring reads payment terms, event severity and class cap, the review
-- window's lowest limit and the limit utilization is measured against.
ALTER TYPE crisk.rescore_item
    ADD ATTRIBUTE payment_terms_days       pg_catalog.int4,
    ADD ATTRIBUTE event_severity           pg_catalog.int4,
    ADD ATTRIBUTE class_cap                pg_catalog.text,
    ADD ATTRIBUTE review_base_limit        pg_catalog.numeric,
    ADD ATTRIBUTE utilization_limit        pg_catalog.numeric,
    ADD ATTRIBUTE broken_promises_12m      pg_catalog.int4;

-- From 73_rescore_scoring.sql (broken promises, SPEC 5.2).
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

-- Both read crisk.ledger_parts() and crisk._profile_item_counts(), which
-- 45_allocations.sql creates with the allocations: their bodies are checked
-- when first run, after the whole script.
SET check_function_bodies = off;
CREATE OR REPLACE FUNCTION crisk._rescore_worklist(as_of pg_catalog.date)
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

CREATE OR REPLACE FUNCTION crisk._rescore_items(customer_ids pg_catalog.text[], as_of pg_catalog.date)
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
RESET check_function_bodies;

-- crisk._rescore_record (the PL/pgSQL writer of 0.1.0) is dropped once, in
-- 50_collections.sql; the pass writes with one statement from C.
