-- Rescoring by hand (src/rescore.c) and the worker's daily purge.

CREATE FUNCTION crisk.rescore(customer_ids pg_catalog.text[] DEFAULT NULL,
                              as_of pg_catalog.date DEFAULT CURRENT_DATE)
    RETURNS pg_catalog.int8
    AS 'MODULE_PATHNAME', 'crisk_rescore'
    LANGUAGE C VOLATILE;
COMMENT ON FUNCTION crisk.rescore(pg_catalog.text[], pg_catalog.date) IS
    'Rescores the given customers (NULL: every customer) as of a date, in the caller''s transaction, the same way the background worker does; returns the number of customers scored.';
REVOKE ALL ON FUNCTION crisk.rescore(pg_catalog.text[], pg_catalog.date) FROM PUBLIC;

CREATE FUNCTION crisk.rescore_queued(as_of pg_catalog.date DEFAULT CURRENT_DATE)
    RETURNS pg_catalog.int8
    AS 'MODULE_PATHNAME', 'crisk_rescore_queued'
    LANGUAGE C VOLATILE;
COMMENT ON FUNCTION crisk.rescore_queued(pg_catalog.date) IS
    'Rescores the customers queued in crisk.rescore_queue (every customer when the queue asks for it), in the caller''s transaction: the worker''s incremental pass, for pg_cron; returns the number of customers scored.';
REVOKE ALL ON FUNCTION crisk.rescore_queued(pg_catalog.date) FROM PUBLIC;

CREATE FUNCTION crisk._rescore_purge(older_than pg_catalog.interval)
    RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF older_than IS NULL OR older_than OPERATOR(pg_catalog.<=) '0'::pg_catalog.interval THEN
        RAISE EXCEPTION USING ERRCODE = '22023',
            MESSAGE = 'older_than must be a positive interval';
    END IF;
    -- Score history, limit changes and acknowledged alerts (the store's
    -- retention), then the passes (crisk.job_error rows go with their run).
    PERFORM crisk.purge_history(older_than);
    DELETE FROM crisk.job_run
    WHERE started_at OPERATOR(pg_catalog.<) (pg_catalog.now() OPERATOR(pg_catalog.-) older_than)
      AND status OPERATOR(pg_catalog.<>) 'running';
END
$$;
COMMENT ON FUNCTION crisk._rescore_purge(pg_catalog.interval) IS
    'Internal: deletes history older than the interval (crisk.purge_history, and the records of rescoring passes); the worker calls it daily with crisk.history_retention.';
REVOKE ALL ON FUNCTION crisk._rescore_purge(pg_catalog.interval) FROM PUBLIC;
