-- Rescoring passes (src/rescore.c): one row in crisk.job_run per pass of
-- the background worker or of crisk.rescore(), and one row in
-- crisk.job_error per customer that could not be scored.  Both are kept by
-- pg_dump (they record which run changed a credit limit) and purged after
-- crisk.history_retention.

CREATE SEQUENCE crisk.job_run_run_id_seq;

CREATE TABLE crisk.job_run (
    run_id             pg_catalog.int8 NOT NULL
                       DEFAULT pg_catalog.nextval('crisk.job_run_run_id_seq'::pg_catalog.regclass)
                       PRIMARY KEY,
    kind               pg_catalog.text NOT NULL
                       CHECK (kind IN ('full', 'incremental', 'manual')),
    status             pg_catalog.text NOT NULL DEFAULT 'running'
                       CHECK (status IN ('running', 'succeeded', 'failed')),
    as_of              pg_catalog.date NOT NULL,
    started_at         pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    finished_at        pg_catalog.timestamptz,
    customers_total    pg_catalog.int8 NOT NULL DEFAULT 0,
    customers_scored   pg_catalog.int8 NOT NULL DEFAULT 0,
    customers_skipped  pg_catalog.int8 NOT NULL DEFAULT 0,
    errors             pg_catalog.int8 NOT NULL DEFAULT 0,
    alerts_raised      pg_catalog.int8 NOT NULL DEFAULT 0,
    limit_changes      pg_catalog.int8 NOT NULL DEFAULT 0,
    batches            pg_catalog.int4 NOT NULL DEFAULT 0,
    run_by             pg_catalog.text NOT NULL DEFAULT session_user,
    backend_pid        pg_catalog.int4 NOT NULL DEFAULT pg_catalog.pg_backend_pid(),
    message            pg_catalog.text
);
ALTER SEQUENCE crisk.job_run_run_id_seq OWNED BY crisk.job_run.run_id;
CREATE INDEX job_run_kind_started_at_idx ON crisk.job_run (kind, started_at);
CREATE INDEX job_run_started_at_idx ON crisk.job_run (started_at);
CREATE INDEX job_run_running_idx ON crisk.job_run (run_id) WHERE status = 'running';

COMMENT ON TABLE crisk.job_run IS
    'One row per rescoring pass (background worker or crisk.rescore()): kind, timings, status, counts and a message saying what went wrong.';
COMMENT ON COLUMN crisk.job_run.kind IS
    '''full'' (every customer, daily), ''incremental'' (customers whose data changed) or ''manual'' (crisk.rescore()).';
COMMENT ON COLUMN crisk.job_run.status IS
    '''running'', ''succeeded'' (possibly with errors: see errors) or ''failed'' (stopped by an error, a crash or a termination: see message).';
COMMENT ON COLUMN crisk.job_run.as_of IS 'Date the scores were computed as of.';
COMMENT ON COLUMN crisk.job_run.customers_total IS 'Customers the pass set out to score.';
COMMENT ON COLUMN crisk.job_run.customers_scored IS 'Customers whose score was written.';
COMMENT ON COLUMN crisk.job_run.customers_skipped IS
    'Customers left for the next pass because another session held their rows.';
COMMENT ON COLUMN crisk.job_run.errors IS
    'Customers that could not be scored (see crisk.job_error); the pass scored the others.';
COMMENT ON COLUMN crisk.job_run.alerts_raised IS 'Alerts the pass raised.';
COMMENT ON COLUMN crisk.job_run.limit_changes IS 'Credit limits the pass recalibrated.';
COMMENT ON COLUMN crisk.job_run.batches IS 'Batches the pass committed (each of at most crisk.batch_size customers).';
COMMENT ON COLUMN crisk.job_run.run_by IS 'Role that ran the pass (crisk.role for the worker).';
COMMENT ON COLUMN crisk.job_run.backend_pid IS 'Process that ran the pass (pg_stat_activity.pid while it runs).';

CREATE TABLE crisk.job_error (
    run_id       pg_catalog.int8 NOT NULL REFERENCES crisk.job_run (run_id) ON DELETE CASCADE,
    customer_id  pg_catalog.text,
    failed_at    pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    sqlstate     pg_catalog.text NOT NULL,
    message      pg_catalog.text NOT NULL,
    detail       pg_catalog.text
);
CREATE INDEX job_error_run_id_idx ON crisk.job_error (run_id);
CREATE INDEX job_error_customer_id_idx ON crisk.job_error (customer_id);

COMMENT ON TABLE crisk.job_error IS
    'Customers a rescoring pass could not score, with the error; a NULL customer_id means a whole batch failed.';
COMMENT ON COLUMN crisk.job_error.sqlstate IS 'SQLSTATE of the error, e.g. 42704 for an account naming an unknown scorecard model.';

SELECT pg_catalog.pg_extension_config_dump('crisk.job_run', '');
SELECT pg_catalog.pg_extension_config_dump('crisk.job_run_run_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('crisk.job_error', '');

REVOKE ALL ON TABLE crisk.job_run, crisk.job_error FROM PUBLIC;
REVOKE ALL ON SEQUENCE crisk.job_run_run_id_seq FROM PUBLIC;
