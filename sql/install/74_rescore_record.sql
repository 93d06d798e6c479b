-- Writing a batch's results (src/rescore_batch.c calls it): limits,
-- scores, history, alerts.  Set-based: a handful of statements per batch,
-- whatever its size.
--
-- Locks: the account rows whose limit the batch recalibrates are locked
-- FOR NO KEY UPDATE SKIP LOCKED; other rows are not locked at all.  On a
-- store spread by crisk.distribute_store() (doc/citus.md) Citus locks
-- rows only in a statement that goes to one shard: each of those accounts
-- is locked by a statement of its own, with the same effect.  NO KEY:
-- an ERP inserting invoices or events (foreign keys take KEY SHARE on the
-- account) and crisk.check_order (plain reads) never wait for a pass.  SKIP
-- LOCKED: a pass never waits for a session that holds an account row (a
-- credit manager editing it); that customer is queued again for the next
-- pass instead, and nothing of it is written now.
--
-- Limits: a recalibrated limit is written only if the account's limit is
-- still the one the pass read (a person may have changed it since: the
-- change queued the customer, whose next pass starts from the new limit),
-- never when the limit is locked.  crisk.account's triggers stamp and log
-- the change in crisk.limit_change, with this run's id and the reason.
--
-- Alerts are raised on what changed since the customer's previous score, so
-- that an acknowledged alert is not raised again while nothing changes:
--   score_drop       the score fell by crisk.alert_score_drop points or more
--   downgrade        the risk class got worse (key: the new class)
--   limit_breach     open receivables exceed the limit by more than the
--                    breach_tolerance of the customer's policy row, and
--                    did not at the previous score; the message names the
--                    amount over
--   legal_event      an event recorded since the previous score (key: the
--                    event; 'critical' when adverse, else 'info'); for a
--                    customer scored for the first time, recorded in the
--                    last 24 hours
--   overdue_90       an open invoice (amount > 0: never a credit note) more
--                    than 90 days past due, once per
--                    invoice (key: the invoice).  A full pass looks only at
--                    invoices that passed 90 days since the customer's
--                    previous score (for a customer scored for the first
--                    time, on as_of itself); any other pass (thorough: the
--                    customer's data changed, e.g. an old invoice was
--                    booked late) looks at all of them
--   payment_pattern  the oldest open invoice is later than the customer
--                    usually pays: days past due > average days beyond
--                    terms + max(2 standard deviations, 15 days), with at
--                    least 5 paid invoices behind the average, and it was
--                    not so at the previous score (key: its due date);
--                    debit items only, for a customer who owes something
--   broken_promise   a promise to pay (crisk.promise) whose grace date
--                    (crisk.promise_grace_until) is before as_of and whose
--                    covered invoices were not paid for its amount by then;
--                    once per promise (key: the promise)
-- Invoices under a dispute open at as_of (crisk.dispute) raise no
-- overdue_90 alert.  Disputes and broken promises are read first, into
-- disputed and broken, and only when the role running the pass may read
-- crisk.dispute and crisk.promise: a worker role given its privileges
-- before an upgrade brought those tables keeps scoring (with a warning
-- until crisk.grant_worker_privileges is run again for it).
-- One row and one notification each (crisk.alert's trigger); a condition
-- already open is not raised twice.
CREATE FUNCTION crisk._rescore_record(results crisk.rescore_result[], run_id pg_catalog.int8,
                                      as_of pg_catalog.date, thorough pg_catalog.bool,
                                      OUT scored pg_catalog.int8, OUT skipped pg_catalog.int8,
                                      OUT alerts pg_catalog.int8, OUT limit_changes pg_catalog.int8)
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    -- The same plans for every batch: planning these statements afresh
    -- for each batch cost more than running them.
    SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
    candidates pg_catalog.text[];
    locked pg_catalog.text[];
    held pg_catalog.text[];
    changed pg_catalog.text[];
    decided pg_catalog.text[];
    score_drop pg_catalog.int4 := pg_catalog.current_setting('crisk.alert_score_drop')::pg_catalog.int4;
    disputed pg_catalog.text[] := '{}';
    broken pg_catalog.jsonb := '[]';
    fitted_models pg_catalog.text[] := '{}';
    pd_intercepts pg_catalog.float8[] := '{}';
    pd_slopes pg_catalog.float8[] := '{}';
    distributed pg_catalog.bool := crisk._store_distributed();
    candidate pg_catalog.text;
    recalibration record;
    promised pg_catalog.jsonb;
    raised_here pg_catalog.int8;
    notices pg_catalog.text[];
    notice pg_catalog.text;
BEGIN
    -- On a distributed store, plans for the values of this batch: Citus
    -- plans no statement on its tables with parameters left open.  The
    -- setting ends with this function.
    IF distributed THEN
        PERFORM pg_catalog.set_config('plan_cache_mode', 'force_custom_plan', true);
    END IF;
    -- The calibration of fitted models (crisk.model_fit), for each
    -- customer's 12-month PD (crisk.score_pd); NULL under an expert model.
    IF pg_catalog.has_table_privilege('crisk.model_fit', 'SELECT') THEN
        SELECT COALESCE(pg_catalog.array_agg(f.model), '{}'), pg_catalog.array_agg(f.pd_intercept),
               pg_catalog.array_agg(f.pd_slope)
          INTO fitted_models, pd_intercepts, pd_slopes
          FROM crisk.model_fit AS f
         WHERE f.pd_intercept IS NOT NULL AND f.pd_slope IS NOT NULL;
    ELSE
        RAISE WARNING 'role % cannot read crisk.model_fit', CURRENT_USER
            USING DETAIL = 'Customers scored under fitted models get no probability of default.',
                  HINT = 'Run crisk.grant_worker_privileges for this role.';
    END IF;
    -- The accounts whose limit changes, locked without waiting; the
    -- customers among them that another session holds are left out.
    candidates := ARRAY(SELECT r.customer_id FROM pg_catalog.unnest(results) AS r
                        WHERE NOT COALESCE((r.item).limit_locked, false)
                          AND r.recommended_limit IS NOT NULL
                          AND r.recommended_limit IS DISTINCT FROM (r.item).credit_limit);
    IF distributed THEN
        locked := '{}';
        FOREACH candidate IN ARRAY candidates LOOP
            PERFORM 1 FROM crisk.account AS a
             WHERE a.customer_id OPERATOR(pg_catalog.=) candidate
             FOR NO KEY UPDATE SKIP LOCKED;
            IF FOUND THEN
                locked := locked OPERATOR(pg_catalog.||) candidate;
            END IF;
        END LOOP;
    ELSE
        locked := ARRAY(SELECT a.customer_id FROM crisk.account AS a
                        WHERE a.customer_id OPERATOR(pg_catalog.=) ANY (candidates)
                        FOR NO KEY UPDATE SKIP LOCKED);
    END IF;
    IF pg_catalog.cardinality(locked) OPERATOR(pg_catalog.<) pg_catalog.cardinality(candidates) THEN
        held := ARRAY(SELECT c FROM pg_catalog.unnest(candidates) AS c
                      WHERE NOT c OPERATOR(pg_catalog.=) ANY (locked));
    ELSE
        held := '{}';
    END IF;

    IF distributed THEN
        -- Citus updates no row of a distributed table from a stable
        -- function of its columns: the reason is worked out first, and
        -- each account is updated by a statement that goes to its shard.
        changed := '{}';
        FOR recalibration IN
            SELECT r.customer_id, r.recommended_limit, (r.item).credit_limit AS limit_read,
                   pg_catalog.format(
                       'recalibrated by rescoring run %s: score %s, class %s%s, daily sales %s, terms %s days, policy %s',
                       _rescore_record.run_id, r.score, r.risk_class,
                       CASE WHEN r.risk_class OPERATOR(pg_catalog.<>) crisk.risk_class(r.score)
                            THEN pg_catalog.format(' (capped by a legal event in force, severity %s)',
                                                   (r.item).event_severity)
                            ELSE '' END,
                       COALESCE(pg_catalog.round((r.monthly_sales OPERATOR(pg_catalog.*) 12) OPERATOR(pg_catalog./) 365, 2)::pg_catalog.text,
                                'none in the last 12 months'),
                       COALESCE((r.item).payment_terms_days, p.default_terms_days), (r.item).policy) AS reason
              FROM pg_catalog.unnest(results) AS r
              LEFT JOIN crisk.limit_policy AS p ON p.policy OPERATOR(pg_catalog.=) (r.item).policy
                                               AND p.risk_class OPERATOR(pg_catalog.=) r.risk_class
             WHERE r.customer_id OPERATOR(pg_catalog.=) ANY (locked)
               AND r.recommended_limit IS NOT NULL
             ORDER BY r.customer_id
        LOOP
            UPDATE crisk.account AS a
               SET credit_limit = recalibration.recommended_limit,
                   limit_run_id = _rescore_record.run_id,
                   limit_reason = recalibration.reason
             WHERE a.customer_id OPERATOR(pg_catalog.=) recalibration.customer_id
               AND NOT a.limit_locked
               AND a.credit_limit IS NOT DISTINCT FROM recalibration.limit_read
               AND a.credit_limit IS DISTINCT FROM recalibration.recommended_limit;
            IF FOUND THEN
                changed := changed OPERATOR(pg_catalog.||) recalibration.customer_id;
            END IF;
        END LOOP;
    ELSE
    WITH recalibrated AS (
        UPDATE crisk.account AS a
           SET credit_limit = r.recommended_limit,
               limit_run_id = _rescore_record.run_id,
               limit_reason = pg_catalog.format(
                   'recalibrated by rescoring run %s: score %s, class %s%s, daily sales %s, terms %s days, policy %s',
                   _rescore_record.run_id, r.score, r.risk_class,
                   CASE WHEN r.risk_class OPERATOR(pg_catalog.<>) crisk.risk_class(r.score)
                        THEN pg_catalog.format(' (capped by a legal event in force, severity %s)',
                                               (r.item).event_severity)
                        ELSE '' END,
                   COALESCE(pg_catalog.round((r.monthly_sales OPERATOR(pg_catalog.*) 12) OPERATOR(pg_catalog./) 365, 2)::pg_catalog.text,
                            'none in the last 12 months'),
                   COALESCE((r.item).payment_terms_days, p.default_terms_days), (r.item).policy)
          FROM pg_catalog.unnest(results) AS r
          LEFT JOIN crisk.limit_policy AS p ON p.policy OPERATOR(pg_catalog.=) (r.item).policy
                                           AND p.risk_class OPERATOR(pg_catalog.=) r.risk_class
         WHERE a.customer_id OPERATOR(pg_catalog.=) r.customer_id
           AND r.customer_id OPERATOR(pg_catalog.=) ANY (locked)
           AND NOT a.limit_locked
           AND r.recommended_limit IS NOT NULL
           AND a.credit_limit IS NOT DISTINCT FROM (r.item).credit_limit
           AND a.credit_limit IS DISTINCT FROM r.recommended_limit
        RETURNING a.customer_id)
    SELECT COALESCE(pg_catalog.array_agg(recalibrated.customer_id), '{}') INTO changed
    FROM recalibrated;
    END IF;
    limit_changes := pg_catalog.cardinality(changed);

    -- Customers scored before: their row is updated in place (crisk.score's
    -- trigger keeps the previous score and class).  The history gets a row
    -- when the decision changed: score, class, model, recommended limit or
    -- limit in force.  An unchanged decision is already in the history, and
    -- a row per customer and day would grow it by the portfolio's size daily.
    WITH written AS (
        UPDATE crisk.score AS s
           SET as_of = _rescore_record.as_of, scored_at = pg_catalog.now(),
               run_id = _rescore_record.run_id, model = (r.item).model,
               score = r.score, risk_class = r.risk_class, reasons = r.reasons,
               invoices = ((r.item).profile).invoices,
               open_invoices = ((r.item).profile).open_invoices,
               billed = ((r.item).profile).billed,
               open_amount = ((r.item).profile).open_amount,
               overdue_amount = ((r.item).profile).overdue_amount,
               avg_days_beyond_terms = ((r.item).profile).avg_days_beyond_terms,
               days_beyond_terms_stddev = ((r.item).profile).days_beyond_terms_stddev,
               late_share = ((r.item).profile).late_share,
               max_days_late = ((r.item).profile).max_days_late,
               dso = ((r.item).profile).dso,
               last_payment = ((r.item).profile).last_payment,
               altman_z = r.altman_z, adverse_events = (r.item).adverse_events,
               utilization = r.utilization, relationship_months = r.relationship_months,
               policy = (r.item).policy, limit_locked = (r.item).limit_locked,
               credit_limit_before = (r.item).utilization_limit,
               recommended_limit = r.recommended_limit,
               credit_limit_after = CASE WHEN r.customer_id OPERATOR(pg_catalog.=) ANY (changed)
                                         THEN r.recommended_limit ELSE (r.item).credit_limit END,
               pd = crisk.score_pd(r.score, f.pd_intercept, f.pd_slope)
          FROM pg_catalog.unnest(results) AS r
          LEFT JOIN ROWS FROM (pg_catalog.unnest(fitted_models), pg_catalog.unnest(pd_intercepts),
                         pg_catalog.unnest(pd_slopes)) AS f(model, pd_intercept, pd_slope)
            ON f.model OPERATOR(pg_catalog.=) (r.item).model
         WHERE s.customer_id OPERATOR(pg_catalog.=) r.customer_id
           AND (r.item).previous_score IS NOT NULL
           AND NOT r.customer_id OPERATOR(pg_catalog.=) ANY (held)
        RETURNING s.customer_id,
                  (s.score IS DISTINCT FROM (r.item).previous_score
                   OR s.risk_class IS DISTINCT FROM (r.item).previous_risk_class
                   OR s.model IS DISTINCT FROM (r.item).previous_model
                   OR s.recommended_limit IS DISTINCT FROM (r.item).previous_recommended_limit
                   OR s.credit_limit_after IS DISTINCT FROM (r.item).previous_credit_limit) AS decided
    )
    SELECT pg_catalog.count(*),
           COALESCE(pg_catalog.array_agg(w.customer_id) FILTER (WHERE w.decided), '{}')
      INTO scored, decided
      FROM written AS w;

    -- Customers scored for the first time (or whose row a concurrent pass
    -- wrote meanwhile, hence ON CONFLICT): a new row, and a history row
    -- whatever the decision.
    WITH written AS (
        INSERT INTO crisk.score AS s (customer_id, as_of, scored_at, run_id, model, score, risk_class, reasons,
            invoices, open_invoices, billed, open_amount, overdue_amount,
            avg_days_beyond_terms, days_beyond_terms_stddev, late_share, max_days_late,
            dso, last_payment, altman_z, adverse_events, utilization, relationship_months,
            policy, limit_locked, credit_limit_before, recommended_limit, credit_limit_after, pd)
        SELECT r.customer_id, _rescore_record.as_of, pg_catalog.now(), _rescore_record.run_id,
               (r.item).model, r.score, r.risk_class, r.reasons,
               ((r.item).profile).invoices, ((r.item).profile).open_invoices,
               ((r.item).profile).billed, ((r.item).profile).open_amount,
               ((r.item).profile).overdue_amount, ((r.item).profile).avg_days_beyond_terms,
               ((r.item).profile).days_beyond_terms_stddev, ((r.item).profile).late_share,
               ((r.item).profile).max_days_late, ((r.item).profile).dso,
               ((r.item).profile).last_payment,
               r.altman_z, (r.item).adverse_events, r.utilization, r.relationship_months,
               (r.item).policy, (r.item).limit_locked, (r.item).utilization_limit,
               r.recommended_limit,
               CASE WHEN r.customer_id OPERATOR(pg_catalog.=) ANY (changed)
                    THEN r.recommended_limit ELSE (r.item).credit_limit END,
               crisk.score_pd(r.score, f.pd_intercept, f.pd_slope)
        FROM pg_catalog.unnest(results) AS r
        LEFT JOIN ROWS FROM (pg_catalog.unnest(fitted_models), pg_catalog.unnest(pd_intercepts),
                         pg_catalog.unnest(pd_slopes)) AS f(model, pd_intercept, pd_slope)
          ON f.model OPERATOR(pg_catalog.=) (r.item).model
        WHERE (r.item).previous_score IS NULL
          AND NOT r.customer_id OPERATOR(pg_catalog.=) ANY (held)
        ON CONFLICT (customer_id) DO UPDATE
            SET as_of = excluded.as_of, scored_at = excluded.scored_at, run_id = excluded.run_id,
                model = excluded.model, score = excluded.score, risk_class = excluded.risk_class,
                reasons = excluded.reasons, invoices = excluded.invoices,
                open_invoices = excluded.open_invoices, billed = excluded.billed,
                open_amount = excluded.open_amount, overdue_amount = excluded.overdue_amount,
                avg_days_beyond_terms = excluded.avg_days_beyond_terms,
                days_beyond_terms_stddev = excluded.days_beyond_terms_stddev,
                late_share = excluded.late_share, max_days_late = excluded.max_days_late,
                dso = excluded.dso, last_payment = excluded.last_payment,
                altman_z = excluded.altman_z, adverse_events = excluded.adverse_events,
                utilization = excluded.utilization, relationship_months = excluded.relationship_months,
                policy = excluded.policy, limit_locked = excluded.limit_locked,
                credit_limit_before = excluded.credit_limit_before,
                recommended_limit = excluded.recommended_limit,
                credit_limit_after = excluded.credit_limit_after, pd = excluded.pd
        RETURNING s.customer_id
    )
    SELECT scored OPERATOR(pg_catalog.+) pg_catalog.count(*),
           decided OPERATOR(pg_catalog.||) COALESCE(pg_catalog.array_agg(w.customer_id), '{}')
      INTO scored, decided
      FROM written AS w;

    -- The history rows of both, read back from crisk.score: returning every
    -- updated row whole, to keep the few whose decision changed, cost more
    -- than the update itself.
    IF pg_catalog.cardinality(decided) OPERATOR(pg_catalog.>) 0 THEN
        INSERT INTO crisk.score_history (customer_id, as_of, scored_at, run_id, model, score, risk_class,
            previous_score, previous_risk_class, risk_class_since, reasons,
            invoices, open_invoices, billed, open_amount, overdue_amount,
            avg_days_beyond_terms, days_beyond_terms_stddev, late_share, max_days_late,
            dso, last_payment, altman_z, adverse_events, utilization, relationship_months,
            policy, limit_locked, credit_limit_before, recommended_limit, credit_limit_after, pd)
        SELECT s.customer_id, s.as_of, s.scored_at, s.run_id, s.model, s.score, s.risk_class, s.previous_score, s.previous_risk_class, s.risk_class_since, s.reasons, s.invoices, s.open_invoices, s.billed, s.open_amount, s.overdue_amount, s.avg_days_beyond_terms, s.days_beyond_terms_stddev, s.late_share, s.max_days_late, s.dso, s.last_payment, s.altman_z, s.adverse_events, s.utilization, s.relationship_months, s.policy, s.limit_locked, s.credit_limit_before, s.recommended_limit, s.credit_limit_after, s.pd
        FROM crisk.score AS s
        WHERE s.customer_id OPERATOR(pg_catalog.=) ANY (decided);
    END IF;

    -- Disputes open at as_of and promises broken by then (59_dispute.sql,
    -- 59_promise.sql), for the alerts below.
    IF pg_catalog.has_table_privilege('crisk.dispute', 'SELECT')
       AND pg_catalog.has_table_privilege('crisk.promise', 'SELECT') THEN
        disputed := ARRAY(
            SELECT x.invoice_id
            FROM pg_catalog.unnest(results) AS r
            JOIN crisk.dispute AS x ON x.customer_id OPERATOR(pg_catalog.=) r.customer_id
            WHERE x.opened_on OPERATOR(pg_catalog.<=) _rescore_record.as_of
              AND (x.resolved_on IS NULL OR x.resolved_on OPERATOR(pg_catalog.>) _rescore_record.as_of));
        IF distributed THEN
            -- Citus joins the ledger to a promise only in a statement that
            -- goes to one shard: one for each customer with a promise.
            FOR candidate IN
                SELECT DISTINCT p.customer_id
                FROM pg_catalog.unnest(results) AS r
                JOIN crisk.promise AS p ON p.customer_id OPERATOR(pg_catalog.=) r.customer_id
                WHERE NOT r.customer_id OPERATOR(pg_catalog.=) ANY (held)
                ORDER BY 1
            LOOP
            SELECT COALESCE(pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
                       'customer_id', p.customer_id, 'promise_id', p.promise_id,
                       'message', pg_catalog.format('promise %s to pay %s by %s was not kept: %s paid by %s',
                                                    p.promise_id, p.amount, p.due_on, paid.amount, g.grace_until),
                       'detail', pg_catalog.jsonb_build_object('promise_id', p.promise_id, 'amount', p.amount,
                                                               'due_on', p.due_on, 'grace_until', g.grace_until,
                                                               'paid_amount', paid.amount,
                                                               'invoice_ids', p.invoice_ids))), '[]')
              INTO promised
            FROM pg_catalog.unnest(results) AS r
            JOIN crisk.promise AS p ON p.customer_id OPERATOR(pg_catalog.=) r.customer_id
            CROSS JOIN LATERAL (SELECT crisk.promise_grace_until(p.due_on) AS grace_until) AS g
            CROSS JOIN LATERAL (
                SELECT COALESCE(pg_catalog.sum(l.amount), 0) AS amount
                FROM crisk.ledger AS l
                WHERE l.invoice_id OPERATOR(pg_catalog.=) ANY (p.invoice_ids)
                  AND l.customer_id OPERATOR(pg_catalog.=) candidate
                  AND l.amount OPERATOR(pg_catalog.>) 0
                  AND l.paid_date OPERATOR(pg_catalog.<=) g.grace_until) AS paid
            WHERE p.customer_id OPERATOR(pg_catalog.=) candidate
              AND r.customer_id OPERATOR(pg_catalog.=) candidate
              AND g.grace_until OPERATOR(pg_catalog.<) _rescore_record.as_of
              AND paid.amount OPERATOR(pg_catalog.<) p.amount
              AND NOT r.customer_id OPERATOR(pg_catalog.=) ANY (held)
              AND NOT EXISTS (SELECT FROM crisk.alert AS a
                              WHERE a.customer_id OPERATOR(pg_catalog.=) candidate
                                AND a.kind OPERATOR(pg_catalog.=) 'broken_promise'
                                AND a.condition_key OPERATOR(pg_catalog.=) p.promise_id::pg_catalog.text);
                broken := broken OPERATOR(pg_catalog.||) promised;
            END LOOP;
        ELSE
            SELECT COALESCE(pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
                       'customer_id', p.customer_id, 'promise_id', p.promise_id,
                       'message', pg_catalog.format('promise %s to pay %s by %s was not kept: %s paid by %s',
                                                    p.promise_id, p.amount, p.due_on, paid.amount, g.grace_until),
                       'detail', pg_catalog.jsonb_build_object('promise_id', p.promise_id, 'amount', p.amount,
                                                               'due_on', p.due_on, 'grace_until', g.grace_until,
                                                               'paid_amount', paid.amount,
                                                               'invoice_ids', p.invoice_ids))), '[]')
              INTO broken
            FROM pg_catalog.unnest(results) AS r
            JOIN crisk.promise AS p ON p.customer_id OPERATOR(pg_catalog.=) r.customer_id
            CROSS JOIN LATERAL (SELECT crisk.promise_grace_until(p.due_on) AS grace_until) AS g
            CROSS JOIN LATERAL (
                SELECT COALESCE(pg_catalog.sum(l.amount), 0) AS amount
                FROM crisk.ledger AS l
                WHERE l.invoice_id OPERATOR(pg_catalog.=) ANY (p.invoice_ids)
                  AND l.customer_id OPERATOR(pg_catalog.=) p.customer_id
                  AND l.amount OPERATOR(pg_catalog.>) 0
                  AND l.paid_date OPERATOR(pg_catalog.<=) g.grace_until) AS paid
            WHERE g.grace_until OPERATOR(pg_catalog.<) _rescore_record.as_of
              AND paid.amount OPERATOR(pg_catalog.<) p.amount
              AND NOT r.customer_id OPERATOR(pg_catalog.=) ANY (held)
              AND NOT EXISTS (SELECT FROM crisk.alert AS a
                              WHERE a.customer_id OPERATOR(pg_catalog.=) r.customer_id
                                AND a.kind OPERATOR(pg_catalog.=) 'broken_promise'
                                AND a.condition_key OPERATOR(pg_catalog.=) p.promise_id::pg_catalog.text);
        END IF;
    ELSE
        RAISE WARNING 'role % cannot read crisk.dispute or crisk.promise', CURRENT_USER
            USING DETAIL = 'Disputed invoices may raise overdue_90 alerts and broken promises raise none.',
                  HINT = 'Run crisk.grant_worker_privileges for this role.';
    END IF;

    -- The alert rules, in one statement: run once for the whole batch
    -- (candidate NULL) on one node.  Citus reads the ledger, the events
    -- and the open alerts of a customer for them only in a statement that
    -- goes to one shard, so on a distributed store it runs once for each
    -- customer (candidate), planned for that customer, which folds the
    -- "candidate IS NULL OR" tests away.  The shard's trigger does not
    -- notify the alerts a pass raises there (crisk.notify_alert): the pass
    -- notifies them here, on the node its caller is connected to.
    alerts := 0;
    FOR candidate IN
        SELECT NULL::pg_catalog.text WHERE NOT distributed
        UNION ALL
        (SELECT r.customer_id FROM pg_catalog.unnest(results) AS r
         WHERE distributed AND NOT r.customer_id OPERATOR(pg_catalog.=) ANY (held)
         ORDER BY 1)
    LOOP
        WITH r AS (
            SELECT r.*, (r.item).profile AS profile,
                   CASE WHEN r.customer_id OPERATOR(pg_catalog.=) ANY (changed)
                        THEN r.recommended_limit ELSE (r.item).credit_limit END AS limit_after,
                   COALESCE((r.item).previous_as_of,
                            _rescore_record.as_of OPERATOR(pg_catalog.-) 1) AS since_as_of,
                   COALESCE((r.item).previous_scored_at,
                            pg_catalog.now() OPERATOR(pg_catalog.-) '1 day'::pg_catalog.interval) AS since_scored_at
            FROM pg_catalog.unnest(results) AS r
            WHERE NOT r.customer_id OPERATOR(pg_catalog.=) ANY (held)
              AND (candidate IS NULL OR r.customer_id OPERATOR(pg_catalog.=) candidate)
        ), raised AS (
            SELECT r.customer_id, 'score_drop' AS kind, '' AS condition_key, NULL::pg_catalog.text AS severity,
                   pg_catalog.format('score fell from %s to %s', (r.item).previous_score, r.score) AS message,
                   pg_catalog.jsonb_build_object('previous_score', (r.item).previous_score, 'score', r.score) AS detail
            FROM r
            WHERE (r.item).previous_score OPERATOR(pg_catalog.-) r.score OPERATOR(pg_catalog.>=) score_drop
            UNION ALL
            SELECT r.customer_id, 'downgrade', r.risk_class, NULL,
                   pg_catalog.format('risk class fell from %s to %s', (r.item).previous_risk_class, r.risk_class),
                   pg_catalog.jsonb_build_object('previous_risk_class', (r.item).previous_risk_class,
                                                 'risk_class', r.risk_class, 'score', r.score)
            FROM r
            WHERE r.risk_class OPERATOR(pg_catalog.>) (r.item).previous_risk_class
            UNION ALL
            SELECT r.customer_id, 'limit_breach', '', NULL,
                   pg_catalog.format('open receivables %s exceed the credit limit %s by %s',
                                     (r.profile).open_amount, r.limit_after,
                                     (r.profile).open_amount OPERATOR(pg_catalog.-) r.limit_after),
                   pg_catalog.jsonb_build_object('open_amount', (r.profile).open_amount,
                                                 'credit_limit', r.limit_after,
                                                 'amount_over', (r.profile).open_amount OPERATOR(pg_catalog.-) r.limit_after,
                                                 'breach_tolerance', p.breach_tolerance)
            FROM r
            JOIN crisk.limit_policy AS p ON p.policy OPERATOR(pg_catalog.=) (r.item).policy
                                        AND p.risk_class OPERATOR(pg_catalog.=) r.risk_class
            WHERE (r.profile).open_amount OPERATOR(pg_catalog.>)
                      (r.limit_after OPERATOR(pg_catalog.*) (1 OPERATOR(pg_catalog.+) p.breach_tolerance))
              AND NOT COALESCE((r.item).previous_open_amount OPERATOR(pg_catalog.>)
                                   ((r.item).previous_credit_limit OPERATOR(pg_catalog.*) (1 OPERATOR(pg_catalog.+) p.breach_tolerance)),
                               false)
            UNION ALL
            SELECT r.customer_id, 'legal_event', e.event_id::pg_catalog.text,
                   CASE WHEN k.adverse THEN 'critical' ELSE 'info' END,
                   pg_catalog.format('%s on %s', k.description, e.occurred_on),
                   pg_catalog.jsonb_build_object('event_id', e.event_id, 'kind', e.kind,
                                                 'occurred_on', e.occurred_on, 'detail', e.detail)
            FROM r
            JOIN crisk.event AS e ON e.customer_id OPERATOR(pg_catalog.=) r.customer_id
                                 AND (candidate IS NULL OR e.customer_id OPERATOR(pg_catalog.=) candidate)
                                 AND e.recorded_at OPERATOR(pg_catalog.>) r.since_scored_at
            JOIN crisk.event_kind AS k ON k.kind OPERATOR(pg_catalog.=) e.kind
            WHERE (r.item).last_event_recorded_at OPERATOR(pg_catalog.>) r.since_scored_at
            UNION ALL
            SELECT r.customer_id, 'overdue_90', l.invoice_id, NULL,
                   pg_catalog.format('invoice %s of %s is %s days past due',
                                     l.invoice_id, l.amount, _rescore_record.as_of OPERATOR(pg_catalog.-) l.due_date),
                   pg_catalog.jsonb_build_object('invoice_id', l.invoice_id, 'amount', l.amount,
                                                 'due_date', l.due_date)
            FROM r
            JOIN crisk.ledger AS l ON l.customer_id OPERATOR(pg_catalog.=) r.customer_id
                                  AND (candidate IS NULL OR l.customer_id OPERATOR(pg_catalog.=) candidate)
            WHERE (thorough OR (r.item).newest_due_over_90 OPERATOR(pg_catalog.>=) (r.since_as_of OPERATOR(pg_catalog.-) crisk._overdue_alert_days()))
              AND l.amount OPERATOR(pg_catalog.>) 0
              AND (l.paid_date IS NULL OR l.paid_date OPERATOR(pg_catalog.>) _rescore_record.as_of)
              AND l.issue_date OPERATOR(pg_catalog.<=) _rescore_record.as_of
              AND l.due_date OPERATOR(pg_catalog.<) (_rescore_record.as_of OPERATOR(pg_catalog.-) crisk._overdue_alert_days())
              AND (thorough OR l.due_date OPERATOR(pg_catalog.>=) (r.since_as_of OPERATOR(pg_catalog.-) crisk._overdue_alert_days()))
              AND (r.item).newest_due_over_90 IS NOT NULL
              AND NOT l.invoice_id OPERATOR(pg_catalog.=) ANY (disputed)
              AND NOT EXISTS (SELECT FROM crisk.alert AS a
                              WHERE a.customer_id OPERATOR(pg_catalog.=) r.customer_id
                                AND (candidate IS NULL OR a.customer_id OPERATOR(pg_catalog.=) candidate)
                                AND a.kind OPERATOR(pg_catalog.=) 'overdue_90'
                                AND a.condition_key OPERATOR(pg_catalog.=) l.invoice_id)
            UNION ALL
            SELECT r.customer_id, 'payment_pattern', (r.item).oldest_open_due::pg_catalog.text, NULL,
                   pg_catalog.format('the oldest open invoice is %s days past due; this customer usually pays %s days beyond terms (standard deviation %s)',
                                     _rescore_record.as_of OPERATOR(pg_catalog.-) (r.item).oldest_open_due,
                                     pg_catalog.round((r.profile).avg_days_beyond_terms::pg_catalog.numeric, 1),
                                     pg_catalog.round(COALESCE((r.profile).days_beyond_terms_stddev, 0)::pg_catalog.numeric, 1)),
                   pg_catalog.jsonb_build_object('days_past_due', _rescore_record.as_of OPERATOR(pg_catalog.-) (r.item).oldest_open_due,
                                                 'avg_days_beyond_terms', (r.profile).avg_days_beyond_terms,
                                                 'days_beyond_terms_stddev', (r.profile).days_beyond_terms_stddev)
            FROM r
            WHERE (r.profile).invoices OPERATOR(pg_catalog.-) (r.profile).open_invoices OPERATOR(pg_catalog.>=) 5
              AND (r.profile).open_amount OPERATOR(pg_catalog.>) 0
              AND (_rescore_record.as_of OPERATOR(pg_catalog.-) (r.item).oldest_open_due)::pg_catalog.float8
                  OPERATOR(pg_catalog.>) ((r.profile).avg_days_beyond_terms OPERATOR(pg_catalog.+)
                      GREATEST(2 OPERATOR(pg_catalog.*) COALESCE((r.profile).days_beyond_terms_stddev, 0), 15))
              AND NOT COALESCE(
                    (r.item).oldest_open_due OPERATOR(pg_catalog.<=) (r.item).previous_as_of
                    AND ((r.item).previous_as_of OPERATOR(pg_catalog.-) (r.item).oldest_open_due)::pg_catalog.float8
                        OPERATOR(pg_catalog.>) ((r.item).previous_avg_dbt OPERATOR(pg_catalog.+)
                            GREATEST(2 OPERATOR(pg_catalog.*) COALESCE((r.item).previous_dbt_stddev, 0), 15)),
                    false)
            UNION ALL
            -- Broken promises to pay, read above.
            SELECT b.customer_id, 'broken_promise', b.promise_id::pg_catalog.text, NULL, b.message, b.detail
            FROM pg_catalog.jsonb_to_recordset(broken)
                 AS b(customer_id pg_catalog.text, promise_id pg_catalog.int8, message pg_catalog.text,
                      detail pg_catalog.jsonb)
            WHERE candidate IS NULL OR b.customer_id OPERATOR(pg_catalog.=) candidate
        ), inserted AS (
            INSERT INTO crisk.alert (kind, customer_id, condition_key, severity, message, detail, run_id)
            SELECT x.kind, x.customer_id, x.condition_key, COALESCE(x.severity, k.default_severity),
                   x.message, x.detail, _rescore_record.run_id
            FROM raised AS x
            JOIN crisk.alert_kind AS k ON k.kind OPERATOR(pg_catalog.=) x.kind
            ON CONFLICT (kind, customer_id, condition_key) WHERE acknowledged_at IS NULL DO NOTHING
            RETURNING alert_id, kind, severity, raised_at)
        SELECT pg_catalog.count(*),
               COALESCE(pg_catalog.array_agg(pg_catalog.json_build_object(
                   'alert_id', i.alert_id, 'kind', i.kind, 'severity', i.severity,
                   'raised_at', i.raised_at)::pg_catalog.text ORDER BY i.alert_id)
                   FILTER (WHERE distributed), '{}')
          INTO raised_here, notices
          FROM inserted AS i;
        alerts := alerts OPERATOR(pg_catalog.+) raised_here;
        IF distributed THEN
            FOREACH notice IN ARRAY notices LOOP
                PERFORM pg_catalog.pg_notify('crisk_alert', notice);
            END LOOP;
        END IF;
    END LOOP;

    -- Customers whose account row another session held: queued again.
    skipped := pg_catalog.cardinality(held);
    IF skipped OPERATOR(pg_catalog.>) 0 THEN
        INSERT INTO crisk.rescore_queue (customer_id) SELECT pg_catalog.unnest(held);
    END IF;
END
$$;
COMMENT ON FUNCTION crisk._rescore_record(crisk.rescore_result[], pg_catalog.int8, pg_catalog.date, pg_catalog.bool) IS
    'Internal: writes a batch of rescoring results: recalibrated limits, crisk.score, crisk.score_history and alerts; returns the counts.';
REVOKE ALL ON FUNCTION crisk._rescore_record(crisk.rescore_result[], pg_catalog.int8, pg_catalog.date, pg_catalog.bool) FROM PUBLIC;
