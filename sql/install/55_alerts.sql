-- Alerts: conditions rescoring finds that a credit manager must look at.
-- Each alert is one row and one notification on channel crisk_alert; the
-- same condition is not raised again while its alert is unacknowledged.
--
-- A condition is (kind, customer_id, condition_key): the key tells apart
-- conditions of one kind for one customer, for instance the invoice that
-- passed 90 days, the event that was recorded, or the class the customer
-- fell to.  Raise alerts with crisk.raise_alert(), or set-based with
--   INSERT INTO crisk.alert (kind, customer_id, condition_key, severity, message, ...)
--   SELECT ...
--   ON CONFLICT (kind, customer_id, condition_key) WHERE acknowledged_at IS NULL DO NOTHING;

CREATE TABLE crisk.alert_kind (
    kind              pg_catalog.text NOT NULL,
    description       pg_catalog.text NOT NULL,
    default_severity  pg_catalog.text NOT NULL,
    CONSTRAINT alert_kind_pkey PRIMARY KEY (kind),
    CONSTRAINT alert_kind_severity_valid CHECK (default_severity IN ('info', 'warning', 'critical'))
);
COMMENT ON TABLE crisk.alert_kind IS
    'Kinds of alerts crisk raises, shipped with crisk, with their default severity.';
INSERT INTO crisk.alert_kind (kind, description, default_severity) VALUES
    ('score_drop', 'score fell by more than the alert threshold since the previous scoring', 'warning'),
    ('downgrade', 'risk class worsened', 'warning'),
    ('limit_breach', 'open receivables exceed the credit limit', 'critical'),
    ('legal_event', 'a legal event was recorded for the customer', 'critical'),
    ('overdue_90', 'an invoice passed 90 days past due', 'warning'),
    ('payment_pattern', 'days beyond terms deviate from the customer''s usual pattern', 'warning'),
    ('broken_promise', 'a promise to pay was not kept by its due date and grace', 'warning');
REVOKE ALL ON crisk.alert_kind FROM PUBLIC;
CREATE TRIGGER alert_kind_shipped
    BEFORE INSERT OR UPDATE OR DELETE ON crisk.alert_kind
    FOR EACH ROW EXECUTE FUNCTION crisk.protect_shipped_rows();
CREATE TRIGGER alert_kind_shipped_truncate
    BEFORE TRUNCATE ON crisk.alert_kind
    FOR EACH STATEMENT EXECUTE FUNCTION crisk.protect_shipped_rows();

CREATE TABLE crisk.alert (
    alert_id             pg_catalog.int8 GENERATED ALWAYS AS IDENTITY,
    kind                 pg_catalog.text NOT NULL,
    customer_id          pg_catalog.text,
    condition_key        pg_catalog.text NOT NULL DEFAULT '',
    severity             pg_catalog.text NOT NULL,
    message              pg_catalog.text NOT NULL,
    detail               pg_catalog.jsonb,
    run_id               pg_catalog.int8,
    raised_at            pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now(),
    acknowledged_at      pg_catalog.timestamptz,
    acknowledged_by      pg_catalog.text,
    acknowledgment_note  pg_catalog.text,
    CONSTRAINT alert_pkey PRIMARY KEY (alert_id),
    CONSTRAINT alert_kind_fkey FOREIGN KEY (kind) REFERENCES crisk.alert_kind (kind),
    CONSTRAINT alert_severity_valid CHECK (severity IN ('info', 'warning', 'critical')),
    CONSTRAINT alert_acknowledgment_complete
        CHECK ((acknowledged_at IS NULL) = (acknowledged_by IS NULL))
);
COMMENT ON TABLE crisk.alert IS
    'Alerts raised by rescoring (score drop, downgrade, limit breach, legal event, 90 days overdue, unusual payment pattern, broken promise to pay): one row each, notified on channel crisk_alert; acknowledged with crisk.acknowledge_alert().';
COMMENT ON COLUMN crisk.alert.customer_id IS 'Customer concerned; NULL for an alert about the whole portfolio.';
COMMENT ON COLUMN crisk.alert.condition_key IS 'What tells this condition apart from others of the same kind for the same customer (an invoice, an event, a class); '''' when nothing needs to.';
COMMENT ON COLUMN crisk.alert.detail IS 'Figures behind the alert, as JSON.';
COMMENT ON COLUMN crisk.alert.run_id IS 'Rescoring run (crisk.job_run) that raised the alert.';
COMMENT ON COLUMN crisk.alert.acknowledged_by IS 'Login (session user) that acknowledged the alert.';
-- One open alert per condition: what makes "not raised twice" hold, even
-- for two passes racing.  NULLS NOT DISTINCT covers portfolio alerts.
CREATE UNIQUE INDEX alert_open_condition_idx ON crisk.alert (kind, customer_id, condition_key)
    NULLS NOT DISTINCT WHERE acknowledged_at IS NULL;
CREATE INDEX alert_customer_idx ON crisk.alert (customer_id, raised_at);
CREATE INDEX alert_raised_at_idx ON crisk.alert (raised_at);
REVOKE ALL ON crisk.alert FROM PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('crisk.alert', '');
SELECT pg_catalog.pg_extension_config_dump('crisk.alert_alert_id_seq', '');

-- The notification carries the alert's id, kind, severity and time only:
-- any role that can connect may LISTEN on any channel, so what identifies
-- the customer stays in the table, readable by those granted it.
CREATE FUNCTION crisk.notify_alert()
    RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    -- On a store spread by crisk.distribute_store() this runs on a shard
    -- (crisk.alert_<shard id>) of a worker node, where nobody listens and
    -- a notification would stop Citus from committing the transaction
    -- across nodes: a rescoring pass notifies its alerts on the
    -- coordinator instead (src/rescore_write.c).
    IF TG_TABLE_NAME OPERATOR(pg_catalog.<>) 'alert' THEN
        RETURN NULL;
    END IF;
    PERFORM pg_catalog.pg_notify('crisk_alert',
        pg_catalog.json_build_object('alert_id', NEW.alert_id, 'kind', NEW.kind,
                                     'severity', NEW.severity, 'raised_at', NEW.raised_at)::pg_catalog.text);
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION crisk.notify_alert() IS
    'Trigger function on crisk.alert: notifies channel crisk_alert with {"alert_id", "kind", "severity", "raised_at"} for each new alert (on a distributed store, quiet on the shards: rescoring passes notify from the coordinator).';
REVOKE ALL ON FUNCTION crisk.notify_alert() FROM PUBLIC;
-- Rows inserted already acknowledged are restored history, not news.
CREATE TRIGGER alert_notify
    AFTER INSERT ON crisk.alert
    FOR EACH ROW WHEN (NEW.acknowledged_at IS NULL)
    EXECUTE FUNCTION crisk.notify_alert();

-- crisk.raise_alert returns the new alert's id, or NULL when the same
-- condition already has an open alert.
CREATE FUNCTION crisk.raise_alert(kind pg_catalog.text, customer_id pg_catalog.text,
                                  condition_key pg_catalog.text, message pg_catalog.text,
                                  severity pg_catalog.text DEFAULT NULL,
                                  detail pg_catalog.jsonb DEFAULT NULL,
                                  run_id pg_catalog.int8 DEFAULT NULL)
    RETURNS pg_catalog.int8
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
#variable_conflict use_column
DECLARE
    new_id pg_catalog.int8;
    chosen pg_catalog.text;
BEGIN
    IF raise_alert.kind IS NULL THEN
        RAISE EXCEPTION 'kind must not be null' USING ERRCODE = '22004';
    END IF;
    IF raise_alert.message IS NULL THEN
        RAISE EXCEPTION 'message must not be null' USING ERRCODE = '22004';
    END IF;
    SELECT COALESCE(raise_alert.severity, k.default_severity) INTO chosen
    FROM crisk.alert_kind k WHERE k.kind OPERATOR(pg_catalog.=) raise_alert.kind;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'alert kind % does not exist', raise_alert.kind
            USING ERRCODE = '42704', HINT = 'The kinds are listed in crisk.alert_kind.';
    END IF;
    IF NOT chosen OPERATOR(pg_catalog.=) ANY (ARRAY['info', 'warning', 'critical']) THEN
        RAISE EXCEPTION 'severity must be info, warning or critical'
            USING ERRCODE = '22023', DETAIL = pg_catalog.format('severity is %s.', chosen);
    END IF;
    INSERT INTO crisk.alert AS a (kind, customer_id, condition_key, severity, message, detail, run_id)
    VALUES (raise_alert.kind, raise_alert.customer_id, COALESCE(raise_alert.condition_key, ''),
            chosen, raise_alert.message, raise_alert.detail, raise_alert.run_id)
    ON CONFLICT (kind, customer_id, condition_key) WHERE acknowledged_at IS NULL DO NOTHING
    RETURNING a.alert_id INTO new_id;
    RETURN new_id;
END
$$;
COMMENT ON FUNCTION crisk.raise_alert(pg_catalog.text, pg_catalog.text, pg_catalog.text, pg_catalog.text, pg_catalog.text, pg_catalog.jsonb, pg_catalog.int8) IS
    'Raises an alert unless the same condition (kind, customer, condition_key) has one open; returns its id, or NULL when it was already open. Severity defaults to the kind''s.';
REVOKE ALL ON FUNCTION crisk.raise_alert(pg_catalog.text, pg_catalog.text, pg_catalog.text, pg_catalog.text, pg_catalog.text, pg_catalog.jsonb, pg_catalog.int8) FROM PUBLIC;

-- crisk.acknowledge_alert closes an alert under the caller's login.
-- SECURITY DEFINER so that a credit manager needs no UPDATE right on the
-- table, and cannot rewrite an alert's text or who acknowledged it.
CREATE FUNCTION crisk.acknowledge_alert(alert_id pg_catalog.int8, note pg_catalog.text DEFAULT NULL)
    RETURNS pg_catalog.bool
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF acknowledge_alert.alert_id IS NULL THEN
        RAISE EXCEPTION 'alert_id must not be null' USING ERRCODE = '22004';
    END IF;
    UPDATE crisk.alert a
       SET acknowledged_at = pg_catalog.now(), acknowledged_by = SESSION_USER,
           acknowledgment_note = note
     WHERE a.alert_id OPERATOR(pg_catalog.=) acknowledge_alert.alert_id
       AND a.acknowledged_at IS NULL;
    IF FOUND THEN
        RETURN true;
    END IF;
    IF NOT EXISTS (SELECT FROM crisk.alert a
                   WHERE a.alert_id OPERATOR(pg_catalog.=) acknowledge_alert.alert_id) THEN
        RAISE EXCEPTION 'alert % does not exist', acknowledge_alert.alert_id USING ERRCODE = '42704';
    END IF;
    RETURN false;
END
$$;
COMMENT ON FUNCTION crisk.acknowledge_alert(pg_catalog.int8, pg_catalog.text) IS
    'Acknowledges an alert under the caller''s login, with an optional note; true when it was open, false when already acknowledged. Once acknowledged, the same condition can be raised again.';
REVOKE ALL ON FUNCTION crisk.acknowledge_alert(pg_catalog.int8, pg_catalog.text) FROM PUBLIC;

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
