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
    -- coordinator instead (crisk._rescore_record).
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
