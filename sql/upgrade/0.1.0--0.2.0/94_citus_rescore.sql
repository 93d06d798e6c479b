-- crisk.notify_alert (55_alerts.sql) is quiet on the shards of a
-- distributed store.
CREATE OR REPLACE FUNCTION crisk.notify_alert()
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
