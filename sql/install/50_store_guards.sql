-- Trigger functions that protect the portfolio store's records
-- (src/store_guard.c, src/data_protection.c).

-- Audit and history tables (crisk.score_history, crisk.limit_change,
-- crisk.erasure_log) are append-only: rows are never updated, and deleted
-- only by crisk.purge_history() (retention) and crisk.forget_customer()
-- (erasure).  Attach as
--   BEFORE UPDATE OR DELETE ... FOR EACH ROW and BEFORE TRUNCATE ... FOR EACH STATEMENT.
CREATE FUNCTION crisk.append_only()
    RETURNS trigger
    AS 'MODULE_PATHNAME', 'crisk_append_only'
    LANGUAGE C;
COMMENT ON FUNCTION crisk.append_only() IS
    'Trigger function: refuses UPDATE, DELETE and TRUNCATE on an append-only table, except deletions by crisk.purge_history() and crisk.forget_customer().';
REVOKE ALL ON FUNCTION crisk.append_only() FROM PUBLIC;

-- Rows crisk ships (reference vocabularies, the default dunning policy) are
-- re-created by CREATE EXTENSION and not saved by pg_dump, so a change to
-- them would be lost silently by a dump and restore: they may only change
-- while crisk's own install or upgrade script runs.  On a table with a
-- boolean column "shipped" only the rows marked shipped are protected and
-- users add their own rows; on a table without one every row is.  Attach as
--   BEFORE INSERT OR UPDATE OR DELETE ... FOR EACH ROW and BEFORE TRUNCATE ... FOR EACH STATEMENT.
CREATE FUNCTION crisk.protect_shipped_rows()
    RETURNS trigger
    AS 'MODULE_PATHNAME', 'crisk_protect_shipped_rows'
    LANGUAGE C;
COMMENT ON FUNCTION crisk.protect_shipped_rows() IS
    'Trigger function: refuses changes to rows shipped with crisk outside its install and upgrade scripts, since pg_dump does not keep them.';
REVOKE ALL ON FUNCTION crisk.protect_shipped_rows() FROM PUBLIC;
