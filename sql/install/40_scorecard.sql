-- Scorecards (src/scorecard.c, src/shipped_rows.c): the table of models,
-- the shipped model "default", and crisk.validate_model.
--
-- Rows users add survive pg_dump: the table is a configuration table whose
-- dump leaves out model "default", since CREATE EXTENSION inserts it again
-- on restore.  The guard trigger refuses changes to "default" (they would
-- not survive a restore); users copy it under another name instead.

-- The guard shared by crisk.scorecard and crisk.limit_policy.
CREATE FUNCTION crisk.shipped_rows_guard()
    RETURNS trigger
    AS 'MODULE_PATHNAME', 'crisk_shipped_rows_guard'
    LANGUAGE C;
COMMENT ON FUNCTION crisk.shipped_rows_guard() IS
    'Trigger function: refuses changes to the rows crisk ships (model or policy ''default''), which pg_dump leaves out, and TRUNCATE.';
REVOKE ALL ON FUNCTION crisk.shipped_rows_guard() FROM PUBLIC;

CREATE TABLE crisk.scorecard (
    model           pg_catalog.text NOT NULL,
    characteristic  pg_catalog.text NOT NULL,
    lower_bound     pg_catalog.float8,
    upper_bound     pg_catalog.float8,
    points          pg_catalog.int4 NOT NULL,
    CONSTRAINT scorecard_model_named
        CHECK (model OPERATOR(pg_catalog.<>) ''),
    CONSTRAINT scorecard_characteristic_known
        CHECK (characteristic OPERATOR(pg_catalog.=) ANY (ARRAY[
            'avg_days_beyond_terms', 'late_share', 'max_days_late', 'utilization',
            'altman_z', 'adverse_events', 'event_severity', 'relationship_months',
            'broken_promises_12m']::pg_catalog.text[])),
    -- NaN compares above every number, so these also refuse NaN.
    CONSTRAINT scorecard_lower_bound_finite
        CHECK (lower_bound OPERATOR(pg_catalog.>) '-Infinity'::pg_catalog.float8
               AND lower_bound OPERATOR(pg_catalog.<) 'Infinity'::pg_catalog.float8),
    CONSTRAINT scorecard_upper_bound_finite
        CHECK (upper_bound OPERATOR(pg_catalog.>) '-Infinity'::pg_catalog.float8
               AND upper_bound OPERATOR(pg_catalog.<) 'Infinity'::pg_catalog.float8),
    CONSTRAINT scorecard_bin_not_empty
        CHECK (lower_bound OPERATOR(pg_catalog.<) upper_bound),
    CONSTRAINT scorecard_points_range
        CHECK (points OPERATOR(pg_catalog.>=) 0 AND points OPERATOR(pg_catalog.<=) 100),
    -- One row per bin; NULLS NOT DISTINCT also allows one missing-value bin only.
    CONSTRAINT scorecard_bin_unique
        UNIQUE NULLS NOT DISTINCT (model, characteristic, lower_bound, upper_bound)
);
COMMENT ON TABLE crisk.scorecard IS
    'Scorecard models: per model and characteristic, bins [lower_bound, upper_bound) worth points; NULL bounds are unbounded, both NULL is the missing-value bin. Model ''default'' is shipped and read-only.';
COMMENT ON COLUMN crisk.scorecard.model IS
    'Model name, passed as the model argument of crisk.credit_score and crisk.explain_score.';
COMMENT ON COLUMN crisk.scorecard.characteristic IS
    'One of avg_days_beyond_terms, late_share, max_days_late, utilization, altman_z, adverse_events, event_severity, relationship_months, broken_promises_12m.';
COMMENT ON COLUMN crisk.scorecard.lower_bound IS
    'Lowest value in the bin (included); NULL: unbounded below.';
COMMENT ON COLUMN crisk.scorecard.upper_bound IS
    'Value where the bin ends (excluded); NULL: unbounded above. Both bounds NULL: the bin for an unknown value.';
COMMENT ON COLUMN crisk.scorecard.points IS
    'Points a value in this bin earns (0 to 100); a model''s best bins add up to at most 100.';

-- The shipped model.  Why each bin and point value is what it is: README,
-- "The default model and policy".  The best bins add up to
-- 25 + 15 + 10 + 10 + 20 + 15 + 5 = 100.
INSERT INTO crisk.scorecard (model, characteristic, lower_bound, upper_bound, points) VALUES
    -- Amount-weighted days beyond terms of paid invoices (negative: early).
    ('default', 'avg_days_beyond_terms', NULL, NULL, 12),
    ('default', 'avg_days_beyond_terms', NULL,    1, 25),
    ('default', 'avg_days_beyond_terms',    1,    8, 21),
    ('default', 'avg_days_beyond_terms',    8,   16, 16),
    ('default', 'avg_days_beyond_terms',   16,   31, 10),
    ('default', 'avg_days_beyond_terms',   31,   61,  4),
    ('default', 'avg_days_beyond_terms',   61, NULL,  0),
    -- Share of the amount fallen due that was paid late or is overdue.
    ('default', 'late_share', NULL, NULL, 7),
    ('default', 'late_share', NULL, 0.05, 15),
    ('default', 'late_share', 0.05, 0.15, 12),
    ('default', 'late_share', 0.15, 0.30,  8),
    ('default', 'late_share', 0.30, 0.50,  4),
    ('default', 'late_share', 0.50, NULL,  0),
    -- Worst lateness of a single invoice, in days.
    ('default', 'max_days_late', NULL, NULL, 5),
    ('default', 'max_days_late', NULL,    1, 10),
    ('default', 'max_days_late',    1,   31,  7),
    ('default', 'max_days_late',   31,   61,  4),
    ('default', 'max_days_late',   61,   91,  2),
    ('default', 'max_days_late',   91, NULL,  0),
    -- Exposure divided by the credit limit.
    ('default', 'utilization', NULL, NULL, 5),
    ('default', 'utilization', NULL,  0.5, 10),
    ('default', 'utilization',  0.5,  0.8,  8),
    ('default', 'utilization',  0.8,  1.0,  5),
    ('default', 'utilization',  1.0,  1.2,  2),
    ('default', 'utilization',  1.2, NULL,  0),
    -- Altman Z' (private firms): distress below 1.23, safe from 2.9.
    ('default', 'altman_z', NULL, NULL,  8),
    ('default', 'altman_z', NULL, 1.23,  0),
    ('default', 'altman_z', 1.23,  2.0,  7),
    ('default', 'altman_z',  2.0,  2.9, 13),
    ('default', 'altman_z',  2.9, NULL, 20),
    -- Highest severity (crisk.event_kind.severity) of the legal events in
    -- force: 0 none or harmless, 1 pledge or sale of the business, 2 lien,
    -- capital loss or safeguard, 3 insolvency or dissolution.
    ('default', 'event_severity', NULL, NULL,  8),
    ('default', 'event_severity', NULL,    1, 15),
    ('default', 'event_severity',    1,    2,  8),
    ('default', 'event_severity',    2,    3,  3),
    ('default', 'event_severity',    3, NULL,  0),
    -- Months since the first invoice.
    ('default', 'relationship_months', NULL, NULL, 1),
    ('default', 'relationship_months', NULL,    6, 0),
    ('default', 'relationship_months',    6,   12, 1),
    ('default', 'relationship_months',   12,   36, 3),
    ('default', 'relationship_months',   36, NULL, 5);

-- Every session's cached copy follows changes (src/table_cache.c).
CREATE TRIGGER scorecard_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON crisk.scorecard
    FOR EACH STATEMENT EXECUTE FUNCTION crisk.table_changed();
-- ALWAYS: caches must follow changes a logical-replication subscriber
-- applies too (session_replication_role = replica skips ordinary triggers).
ALTER TABLE crisk.scorecard ENABLE ALWAYS TRIGGER scorecard_changed;
CREATE TRIGGER scorecard_shipped_rows
    BEFORE INSERT OR UPDATE OR DELETE ON crisk.scorecard
    FOR EACH ROW EXECUTE FUNCTION crisk.shipped_rows_guard('model', 'default');
CREATE TRIGGER scorecard_no_truncate
    BEFORE TRUNCATE ON crisk.scorecard
    FOR EACH STATEMENT EXECUTE FUNCTION crisk.shipped_rows_guard('model', 'default');

SELECT pg_catalog.pg_extension_config_dump('crisk.scorecard',
    'WHERE model OPERATOR(pg_catalog.<>) ''default''');

-- Like every crisk table, not readable by PUBLIC; the DBA grants reading
-- and changing models to the roles that need them (README, "Privileges").
-- credit_score and explain_score work for every caller all the same: they
-- read the cached model through the table cache, not with the caller's
-- rights, and explain_score shows each characteristic's points.
REVOKE ALL ON TABLE crisk.scorecard FROM PUBLIC;

CREATE FUNCTION crisk.validate_model(model pg_catalog.text)
    RETURNS TABLE (characteristic pg_catalog.text, severity pg_catalog.text,
                   problem pg_catalog.text)
    AS 'MODULE_PATHNAME', 'crisk_validate_model'
    LANGUAGE C STABLE PARALLEL SAFE ROWS 5;
COMMENT ON FUNCTION crisk.validate_model(pg_catalog.text) IS
    'Problems of a scorecard model, one row each: errors (gaps, overlaps, no missing-value bin, unknown characteristic, points over 100) make it unusable; warnings (a worse value earning more points) do not. No rows: the model is sound.';
