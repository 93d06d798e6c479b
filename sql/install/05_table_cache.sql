-- Per-session caches of crisk tables (src/table_cache.c).  Tables whose
-- contents C functions cache (scorecards, limit policies, reference rates)
-- carry a statement trigger running this function, so that a change is seen
-- by the next call in every session:
--   CREATE TRIGGER <table>_changed
--       AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON crisk.<table>
--       FOR EACH STATEMENT EXECUTE FUNCTION crisk.table_changed();

CREATE FUNCTION crisk.table_changed()
    RETURNS trigger
    AS 'MODULE_PATHNAME', 'crisk_table_changed'
    LANGUAGE C;
COMMENT ON FUNCTION crisk.table_changed() IS
    'Trigger function: makes every session drop its cached copy of the table the trigger is on.';
REVOKE ALL ON FUNCTION crisk.table_changed() FROM PUBLIC;
