-- The write step of a rescoring pass: one statement per batch, prepared in
-- C (src/rescore_write.c), replaces crisk._rescore_record (dropped in
-- 50_collections.sql); its alert rules move next to crisk.alert
-- (55_alerts.sql).
-- The alert rules of a rescoring pass, in one place.  The pass's write
-- statement (src/rescore_write.c) calls this function once for each
-- customer it writes, after the customer's new score and limit are known,
-- and inserts what it returns into crisk.alert (ON CONFLICT DO NOTHING: a
-- condition already open is not raised twice).  Alerts are raised on what
-- changed since the customer's previous score, so that an acknowledged
-- alert is not raised again while nothing changes:
--   score_drop       the score fell by score_drop (crisk.alert_score_drop)
--                    points or more
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
--                    than 90 days past due, once per invoice (key: the
--                    invoice).  A full pass looks only at invoices that
--                    passed 90 days since the customer's previous score
--                    (for a customer scored for the first time, on as_of
--                    itself); any other pass (thorough: the customer's data
--                    changed, e.g. an old invoice was booked late) looks at
--                    all of them.  Invoices under a dispute open at as_of
--                    (disputed, from crisk.dispute) raise none
--   payment_pattern  the oldest open invoice is later than the customer
--                    usually pays: days past due > average days beyond
--                    terms + max(2 standard deviations, 15 days), with at
--                    least 5 paid invoices behind the average, and it was
--                    not so at the previous score (key: its due date);
--                    debit items only, for a customer who owes something
--   broken_promise   a promise to pay (promises: the customer's rows of
--                    crisk.promise as JSON) whose grace date
--                    (crisk.promise_grace_until) is before as_of, within
--                    the twelve months up to it (older ones were the
--                    passes of their year to report), and whose
--                    covered invoices were not paid for its amount by then;
--                    once per promise (key: the promise)
-- severity NULL: the kind's default (crisk.alert_kind).  The pass reads
-- disputes and promises only when its role may read crisk.dispute and
-- crisk.promise (it passes NULL otherwise, with a warning), so that a
-- worker role given its privileges before an upgrade brought those tables
-- keeps scoring.
--
-- This function must stay inlinable, so that the rules run inside the
-- write statement's plan rather than as a call per customer: LANGUAGE sql,
-- STABLE, not STRICT, not SECURITY DEFINER and without a SET clause (as
-- crisk.ledger_rows()).  Its body names everything with its schema, so
-- the caller's search_path cannot capture anything.  PUBLIC keeps EXECUTE on
-- it: a function it cannot execute is not inlined, it reads with its
-- caller's privileges, and a worker role given its privileges before 0.2.0
-- keeps writing.
CREATE FUNCTION crisk._alert_rules(
        customer_id pg_catalog.text, as_of pg_catalog.date, thorough pg_catalog.bool,
        score_drop pg_catalog.int4,
        score pg_catalog.int4, previous_score pg_catalog.int4,
        risk_class pg_catalog.text, previous_risk_class pg_catalog.text,
        policy pg_catalog.text,
        invoices pg_catalog.int8, open_invoices pg_catalog.int8, open_amount pg_catalog.numeric,
        avg_days_beyond_terms pg_catalog.float8, days_beyond_terms_stddev pg_catalog.float8,
        credit_limit pg_catalog.numeric,
        previous_open_amount pg_catalog.numeric, previous_credit_limit pg_catalog.numeric,
        oldest_open_due pg_catalog.date, newest_due_over_90 pg_catalog.date,
        previous_as_of pg_catalog.date, previous_scored_at pg_catalog.timestamptz,
        previous_avg_dbt pg_catalog.float8, previous_dbt_stddev pg_catalog.float8,
        last_event_recorded_at pg_catalog.timestamptz,
        disputed pg_catalog.text[], promises pg_catalog.jsonb)
    RETURNS TABLE (kind pg_catalog.text, condition_key pg_catalog.text, severity pg_catalog.text,
                   message pg_catalog.text, detail pg_catalog.jsonb)
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
    SELECT 'score_drop', '', NULL::pg_catalog.text,
           pg_catalog.format('score fell from %s to %s', _alert_rules.previous_score, _alert_rules.score),
           pg_catalog.jsonb_build_object('previous_score', _alert_rules.previous_score, 'score', _alert_rules.score)
    WHERE _alert_rules.previous_score OPERATOR(pg_catalog.-) _alert_rules.score OPERATOR(pg_catalog.>=) _alert_rules.score_drop
    UNION ALL
    SELECT 'downgrade', _alert_rules.risk_class, NULL,
           pg_catalog.format('risk class fell from %s to %s', _alert_rules.previous_risk_class, _alert_rules.risk_class),
           pg_catalog.jsonb_build_object('previous_risk_class', _alert_rules.previous_risk_class, 'risk_class', _alert_rules.risk_class, 'score', _alert_rules.score)
    WHERE _alert_rules.risk_class OPERATOR(pg_catalog.>) _alert_rules.previous_risk_class
    UNION ALL
    SELECT 'limit_breach', '', NULL,
           pg_catalog.format('open receivables %s exceed the credit limit %s by %s',
                             _alert_rules.open_amount, _alert_rules.credit_limit, _alert_rules.open_amount OPERATOR(pg_catalog.-) _alert_rules.credit_limit),
           pg_catalog.jsonb_build_object('open_amount', _alert_rules.open_amount, 'credit_limit', _alert_rules.credit_limit,
                                         'amount_over', _alert_rules.open_amount OPERATOR(pg_catalog.-) _alert_rules.credit_limit,
                                         'breach_tolerance', p.breach_tolerance)
    FROM crisk.limit_policy AS p
    WHERE p.policy OPERATOR(pg_catalog.=) _alert_rules.policy
      AND p.risk_class OPERATOR(pg_catalog.=) _alert_rules.risk_class
      AND _alert_rules.open_amount OPERATOR(pg_catalog.>) (_alert_rules.credit_limit OPERATOR(pg_catalog.*) (1 OPERATOR(pg_catalog.+) p.breach_tolerance))
      AND NOT COALESCE(_alert_rules.previous_open_amount OPERATOR(pg_catalog.>) (_alert_rules.previous_credit_limit OPERATOR(pg_catalog.*) (1 OPERATOR(pg_catalog.+) p.breach_tolerance)),
                       false)
    UNION ALL
    SELECT 'legal_event', e.event_id::pg_catalog.text,
           CASE WHEN k.adverse THEN 'critical' ELSE 'info' END,
           pg_catalog.format('%s on %s', k.description, e.occurred_on),
           pg_catalog.jsonb_build_object('event_id', e.event_id, 'kind', e.kind,
                                         'occurred_on', e.occurred_on, 'detail', e.detail)
    FROM crisk.event AS e
    JOIN crisk.event_kind AS k ON k.kind OPERATOR(pg_catalog.=) e.kind
    WHERE e.customer_id OPERATOR(pg_catalog.=) _alert_rules.customer_id
      AND e.recorded_at OPERATOR(pg_catalog.>)
              COALESCE(_alert_rules.previous_scored_at, pg_catalog.now() OPERATOR(pg_catalog.-) '1 day'::pg_catalog.interval)
      AND _alert_rules.last_event_recorded_at OPERATOR(pg_catalog.>)
              COALESCE(_alert_rules.previous_scored_at, pg_catalog.now() OPERATOR(pg_catalog.-) '1 day'::pg_catalog.interval)
    UNION ALL
    SELECT 'overdue_90', l.invoice_id, NULL,
           pg_catalog.format('invoice %s of %s is %s days past due',
                             l.invoice_id, l.amount, _alert_rules.as_of OPERATOR(pg_catalog.-) l.due_date),
           pg_catalog.jsonb_build_object('invoice_id', l.invoice_id, 'amount', l.amount,
                                         'due_date', l.due_date)
    FROM crisk.ledger AS l
    WHERE l.customer_id OPERATOR(pg_catalog.=) _alert_rules.customer_id
      AND _alert_rules.newest_due_over_90 IS NOT NULL
      AND (_alert_rules.thorough OR _alert_rules.newest_due_over_90 OPERATOR(pg_catalog.>=)
                     (COALESCE(_alert_rules.previous_as_of, _alert_rules.as_of OPERATOR(pg_catalog.-) 1) OPERATOR(pg_catalog.-) crisk._overdue_alert_days()))
      AND l.amount OPERATOR(pg_catalog.>) 0
      AND (l.paid_date IS NULL OR l.paid_date OPERATOR(pg_catalog.>) _alert_rules.as_of)
      AND l.issue_date OPERATOR(pg_catalog.<=) _alert_rules.as_of
      AND l.due_date OPERATOR(pg_catalog.<) (_alert_rules.as_of OPERATOR(pg_catalog.-) crisk._overdue_alert_days())
      AND (_alert_rules.thorough OR l.due_date OPERATOR(pg_catalog.>=)
                     (COALESCE(_alert_rules.previous_as_of, _alert_rules.as_of OPERATOR(pg_catalog.-) 1) OPERATOR(pg_catalog.-) crisk._overdue_alert_days()))
      AND NOT COALESCE(l.invoice_id OPERATOR(pg_catalog.=) ANY (_alert_rules.disputed), false)
      AND NOT EXISTS (SELECT FROM crisk.alert AS a
                      WHERE a.customer_id OPERATOR(pg_catalog.=) _alert_rules.customer_id
                        AND a.kind OPERATOR(pg_catalog.=) 'overdue_90'
                        AND a.condition_key OPERATOR(pg_catalog.=) l.invoice_id)
    UNION ALL
    SELECT 'payment_pattern', _alert_rules.oldest_open_due::pg_catalog.text, NULL,
           pg_catalog.format('the oldest open invoice is %s days past due; this customer usually pays %s days beyond terms (standard deviation %s)',
                             _alert_rules.as_of OPERATOR(pg_catalog.-) _alert_rules.oldest_open_due,
                             pg_catalog.round(_alert_rules.avg_days_beyond_terms::pg_catalog.numeric, 1),
                             pg_catalog.round(COALESCE(_alert_rules.days_beyond_terms_stddev, 0)::pg_catalog.numeric, 1)),
           pg_catalog.jsonb_build_object('days_past_due', _alert_rules.as_of OPERATOR(pg_catalog.-) _alert_rules.oldest_open_due,
                                         'avg_days_beyond_terms', _alert_rules.avg_days_beyond_terms,
                                         'days_beyond_terms_stddev', _alert_rules.days_beyond_terms_stddev)
    WHERE _alert_rules.invoices OPERATOR(pg_catalog.-) _alert_rules.open_invoices OPERATOR(pg_catalog.>=) 5
      AND _alert_rules.open_amount OPERATOR(pg_catalog.>) 0
      AND (_alert_rules.as_of OPERATOR(pg_catalog.-) _alert_rules.oldest_open_due)::pg_catalog.float8
          OPERATOR(pg_catalog.>) (_alert_rules.avg_days_beyond_terms OPERATOR(pg_catalog.+)
              GREATEST(2 OPERATOR(pg_catalog.*) COALESCE(_alert_rules.days_beyond_terms_stddev, 0), 15))
      AND NOT COALESCE(
            _alert_rules.oldest_open_due OPERATOR(pg_catalog.<=) _alert_rules.previous_as_of
            AND (_alert_rules.previous_as_of OPERATOR(pg_catalog.-) _alert_rules.oldest_open_due)::pg_catalog.float8
                OPERATOR(pg_catalog.>) (_alert_rules.previous_avg_dbt OPERATOR(pg_catalog.+)
                    GREATEST(2 OPERATOR(pg_catalog.*) COALESCE(_alert_rules.previous_dbt_stddev, 0), 15)),
            false)
    UNION ALL
    SELECT 'broken_promise', p.promise_id::pg_catalog.text, NULL,
           pg_catalog.format('promise %s to pay %s by %s was not kept: %s paid by %s',
                             p.promise_id, p.amount, p.due_on, paid.amount, g.grace_until),
           pg_catalog.jsonb_build_object('promise_id', p.promise_id, 'amount', p.amount,
                                         'due_on', p.due_on, 'grace_until', g.grace_until,
                                         'paid_amount', paid.amount, 'invoice_ids', p.invoice_ids)
    FROM pg_catalog.jsonb_to_recordset(_alert_rules.promises)
         AS p(promise_id pg_catalog.int8, amount pg_catalog.numeric, due_on pg_catalog.date,
              invoice_ids pg_catalog.text[])
    CROSS JOIN LATERAL (SELECT crisk.promise_grace_until(p.due_on) AS grace_until) AS g
    CROSS JOIN LATERAL (
        SELECT COALESCE(pg_catalog.sum(l.amount), 0) AS amount
        FROM crisk.ledger AS l
        WHERE l.invoice_id OPERATOR(pg_catalog.=) ANY (p.invoice_ids)
          AND l.customer_id OPERATOR(pg_catalog.=) _alert_rules.customer_id
          AND l.amount OPERATOR(pg_catalog.>) 0
          AND l.paid_date OPERATOR(pg_catalog.<=) g.grace_until) AS paid
    WHERE g.grace_until OPERATOR(pg_catalog.<) _alert_rules.as_of
      AND g.grace_until OPERATOR(pg_catalog.>=) crisk._twelve_months_start(_alert_rules.as_of)
      AND paid.amount OPERATOR(pg_catalog.<) p.amount
      AND NOT EXISTS (SELECT FROM crisk.alert AS a
                      WHERE a.customer_id OPERATOR(pg_catalog.=) _alert_rules.customer_id
                        AND a.kind OPERATOR(pg_catalog.=) 'broken_promise'
                        AND a.condition_key OPERATOR(pg_catalog.=) p.promise_id::pg_catalog.text)
$$;
COMMENT ON FUNCTION crisk._alert_rules(pg_catalog.text, pg_catalog.date, pg_catalog.bool, pg_catalog.int4,
                                       pg_catalog.int4, pg_catalog.int4, pg_catalog.text, pg_catalog.text,
                                       pg_catalog.text, pg_catalog.int8, pg_catalog.int8, pg_catalog.numeric,
                                       pg_catalog.float8, pg_catalog.float8, pg_catalog.numeric,
                                       pg_catalog.numeric, pg_catalog.numeric, pg_catalog.date, pg_catalog.date,
                                       pg_catalog.date, pg_catalog.timestamptz, pg_catalog.float8,
                                       pg_catalog.float8, pg_catalog.timestamptz, pg_catalog.text[],
                                       pg_catalog.jsonb) IS
    'Internal: the alert rules of a rescoring pass (score_drop, downgrade, limit_breach, legal_event, overdue_90, payment_pattern, broken_promise) for one customer: the alerts to raise, from the new score and what the pass read; inlined into the pass''s write statement.';
