-- The rescoring queue (src/rescore_queue.c): customers whose data changed
-- since their last score.  Triggers on the ledger, the accounts, the events
-- and the financials (and, through crisk.track_changes(), on an ERP's own
-- tables) insert a row per customer and transaction; an incremental pass
-- rescores the queued customers and deletes the rows it has accounted for.

CREATE TABLE crisk.rescore_queue (
    customer_id  pg_catalog.text,
    queued_at    pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now(),
    queued_by    pg_catalog.xid8 NOT NULL DEFAULT pg_catalog.pg_current_xact_id()
);
CREATE INDEX rescore_queue_customer_id_idx ON crisk.rescore_queue (customer_id);

COMMENT ON TABLE crisk.rescore_queue IS
    'Customers waiting for the next incremental rescoring pass; a NULL customer_id asks for every customer (a full pass).';
COMMENT ON COLUMN crisk.rescore_queue.queued_by IS
    'Transaction that queued the customer: a pass removes only rows whose transaction it has seen.';

REVOKE ALL ON TABLE crisk.rescore_queue FROM PUBLIC;

CREATE FUNCTION crisk.track_changes_trigger()
    RETURNS trigger
    AS 'MODULE_PATHNAME', 'crisk_track_changes_trigger'
    LANGUAGE C;
COMMENT ON FUNCTION crisk.track_changes_trigger() IS
    'Trigger function installed by crisk.track_changes(): queues for rescoring the customer of each row inserted, updated or deleted, and every customer after a TRUNCATE.';
REVOKE ALL ON FUNCTION crisk.track_changes_trigger() FROM PUBLIC;

CREATE FUNCTION crisk.track_changes(relation pg_catalog.regclass,
                                    customer_column pg_catalog.name)
    RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    relation_kind "char";
    other_function pg_catalog.regprocedure;
BEGIN
    IF relation IS NULL THEN
        RAISE EXCEPTION USING ERRCODE = '22004',
            MESSAGE = 'relation must not be NULL';
    END IF;
    IF customer_column IS NULL THEN
        RAISE EXCEPTION USING ERRCODE = '22004',
            MESSAGE = 'customer_column must not be NULL';
    END IF;
    SELECT c.relkind INTO relation_kind
    FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) relation;
    IF relation_kind NOT IN ('r', 'p') THEN
        RAISE EXCEPTION USING ERRCODE = '22023',
            MESSAGE = pg_catalog.format('relation %s is not a table', relation),
            DETAIL = 'Changes are tracked on the tables that hold the rows; a view has none of its own.',
            HINT = 'Call crisk.track_changes for each table the view reads.';
    END IF;
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_attribute a
                   WHERE a.attrelid OPERATOR(pg_catalog.=) relation
                     AND a.attname OPERATOR(pg_catalog.=) customer_column
                     AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped) THEN
        RAISE EXCEPTION USING ERRCODE = '42703',
            MESSAGE = pg_catalog.format('column %I of relation %s does not exist',
                                        customer_column, relation),
            HINT = 'customer_column names the column holding the customer id.';
    END IF;
    SELECT t.tgfoid::pg_catalog.regprocedure INTO other_function
    FROM pg_catalog.pg_trigger t
    WHERE t.tgrelid OPERATOR(pg_catalog.=) relation
      AND t.tgname IN ('crisk_track_changes', 'crisk_track_truncate')
      AND t.tgfoid OPERATOR(pg_catalog.<>) 'crisk.track_changes_trigger()'::pg_catalog.regprocedure;
    IF FOUND THEN
        RAISE EXCEPTION USING ERRCODE = '42710',
            MESSAGE = pg_catalog.format('relation %s already has a trigger named crisk_track_changes or crisk_track_truncate running %s',
                                        relation, other_function),
            HINT = 'Rename that trigger; crisk uses these names for its own.';
    END IF;
    -- Calling again (e.g. with another column) replaces the triggers.
    PERFORM crisk.untrack_changes(relation);
    EXECUTE pg_catalog.format(
        'CREATE TRIGGER crisk_track_changes BEFORE INSERT OR UPDATE OR DELETE ON %s'
        ' FOR EACH ROW EXECUTE FUNCTION crisk.track_changes_trigger(%L)',
        relation, customer_column);
    EXECUTE pg_catalog.format(
        'CREATE TRIGGER crisk_track_truncate AFTER TRUNCATE ON %s'
        ' FOR EACH STATEMENT EXECUTE FUNCTION crisk.track_changes_trigger(%L)',
        relation, customer_column);
END
$$;
COMMENT ON FUNCTION crisk.track_changes(pg_catalog.regclass, pg_catalog.name) IS
    'Queues a customer for rescoring whenever a row of the table (e.g. an ERP table under the ledger view) is inserted, updated or deleted; customer_column names the column holding the customer id.';
REVOKE ALL ON FUNCTION crisk.track_changes(pg_catalog.regclass, pg_catalog.name) FROM PUBLIC;

CREATE FUNCTION crisk.untrack_changes(relation pg_catalog.regclass)
    RETURNS pg_catalog.bool
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    trigger_name pg_catalog.name;
    dropped pg_catalog.bool := false;
BEGIN
    IF relation IS NULL THEN
        RAISE EXCEPTION USING ERRCODE = '22004',
            MESSAGE = 'relation must not be NULL';
    END IF;
    FOR trigger_name IN
        SELECT t.tgname FROM pg_catalog.pg_trigger t
        WHERE t.tgrelid OPERATOR(pg_catalog.=) relation
          AND t.tgfoid OPERATOR(pg_catalog.=) 'crisk.track_changes_trigger()'::pg_catalog.regprocedure
    LOOP
        EXECUTE pg_catalog.format('DROP TRIGGER %I ON %s', trigger_name, relation);
        dropped := true;
    END LOOP;
    RETURN dropped;
END
$$;
COMMENT ON FUNCTION crisk.untrack_changes(pg_catalog.regclass) IS
    'Stops queueing customers for rescoring on changes to the table; returns whether it was tracked.';
REVOKE ALL ON FUNCTION crisk.untrack_changes(pg_catalog.regclass) FROM PUBLIC;

CREATE VIEW crisk.tracked_table AS
SELECT t.tgrelid::pg_catalog.regclass AS relation,
       pg_catalog.substring(pg_catalog.pg_get_triggerdef(t.oid),
                            'track_changes_trigger\(''(.*)''\)')::pg_catalog.name AS customer_column
FROM pg_catalog.pg_trigger t
WHERE t.tgfoid OPERATOR(pg_catalog.=) 'crisk.track_changes_trigger()'::pg_catalog.regprocedure
  AND t.tgname OPERATOR(pg_catalog.=) 'crisk_track_changes';
COMMENT ON VIEW crisk.tracked_table IS
    'Tables whose changes queue customers for rescoring, with their customer column.';
REVOKE ALL ON TABLE crisk.tracked_table FROM PUBLIC;

CREATE FUNCTION crisk.request_rescore(customer_ids pg_catalog.text[] DEFAULT NULL)
    RETURNS void
    AS 'MODULE_PATHNAME', 'crisk_request_rescore'
    LANGUAGE C VOLATILE;
COMMENT ON FUNCTION crisk.request_rescore(pg_catalog.text[]) IS
    'Queues customers for the background worker''s next incremental pass (NULL: every customer, a full pass) and wakes the worker at commit.';
REVOKE ALL ON FUNCTION crisk.request_rescore(pg_catalog.text[]) FROM PUBLIC;
