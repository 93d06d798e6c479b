-- The privileges of the role the rescoring worker runs as (crisk.role).
--
-- A pass reads the ledger, accounts, events, financial statements,
-- disputes, promises to pay and the model tables, writes scores, history,
-- alerts and recalibrated limits, and
-- keeps its own records; the daily purge deletes old history.  Rather than
-- a list of GRANTs in the README that drifts from the schema, the list
-- lives here, next to the objects, and a test checks that a role holding
-- exactly these privileges completes a pass.  The same role may run passes
-- from SQL (crisk.rescore, crisk.rescore_queued), e.g. as a pg_cron job
-- instead of the worker.

CREATE FUNCTION crisk.grant_worker_privileges(worker_role pg_catalog.regrole)
    RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    grantee pg_catalog.text;
    source pg_catalog.text;
BEGIN
    IF worker_role IS NULL THEN
        RAISE EXCEPTION USING ERRCODE = '22004',
            MESSAGE = 'worker_role must not be NULL';
    END IF;
    grantee := pg_catalog.quote_ident(worker_role::pg_catalog.text);

    EXECUTE 'GRANT USAGE ON SCHEMA crisk TO ' || grantee;
    -- What a pass reads.
    EXECUTE 'GRANT SELECT ON crisk.ledger, crisk.invoice, crisk.ledger_source,'
            ' crisk.event, crisk.event_kind, crisk.financials, crisk.scorecard,'
            ' crisk.limit_policy, crisk.alert_kind, crisk.dispute, crisk.promise,'
            ' crisk.model_fit, crisk.allocations, crisk.allocation, crisk.allocation_source TO ' || grantee;
    -- What it writes: recalibrated limits, scores, history, alerts.
    EXECUTE 'GRANT SELECT, UPDATE ON crisk.account TO ' || grantee;
    EXECUTE 'GRANT SELECT, INSERT, UPDATE ON crisk.score TO ' || grantee;
    EXECUTE 'GRANT SELECT, INSERT ON crisk.score_history, crisk.alert,'
            ' crisk.limit_change TO ' || grantee;
    -- Its own records and the queue of customers to rescore.
    EXECUTE 'GRANT SELECT, INSERT, UPDATE, DELETE ON crisk.job_run, crisk.job_error,'
            ' crisk.rescore_queue TO ' || grantee;
    EXECUTE 'GRANT USAGE ON SEQUENCE crisk.job_run_run_id_seq TO ' || grantee;
    EXECUTE 'GRANT EXECUTE ON FUNCTION crisk.rescore(pg_catalog.text[], pg_catalog.date),'
            ' crisk.rescore_queued(pg_catalog.date),'
            ' crisk._rescore_worklist(pg_catalog.date),'
            ' crisk._rescore_items(pg_catalog.text[], pg_catalog.date),'
            ' crisk._rescore_ledger(pg_catalog.numeric, pg_catalog.date, pg_catalog.date,'
            ' pg_catalog.date, pg_catalog.date),'
            ' crisk._rescore_compute(crisk.rescore_item[], pg_catalog.date),'
            ' crisk._rescore_purge(pg_catalog.interval),'
            ' crisk.purge_history(pg_catalog.interval) TO ' || grantee;

    -- An ERP ledger set with crisk.set_ledger: the worker reads it too.
    SELECT s.source INTO source FROM crisk.ledger_source AS s;
    IF source IS NOT NULL THEN
        EXECUTE 'GRANT SELECT ON ' || source || ' TO ' || grantee;
    END IF;
    -- And the allocations, from an ERP's source set with crisk.set_allocations.
    SELECT s.source INTO source FROM crisk.allocation_source AS s;
    IF source IS NOT NULL THEN
        EXECUTE 'GRANT SELECT ON ' || source || ' TO ' || grantee;
    END IF;
END
$$;
COMMENT ON FUNCTION crisk.grant_worker_privileges(pg_catalog.regrole) IS
    'Grants a role what rescoring needs, for the worker (crisk.role) or for a pg_cron job calling crisk.rescore_queued(): read the ledger (including a source set with crisk.set_ledger), accounts, events, financials, disputes, promises and models; write scores, history, alerts, limits and pass records. Run it again after crisk.set_ledger.';
REVOKE ALL ON FUNCTION crisk.grant_worker_privileges(pg_catalog.regrole) FROM PUBLIC;
