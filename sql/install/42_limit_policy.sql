-- Limit policies and credit-limit recalibration (src/credit_limit.c).
--
-- As for crisk.scorecard, pg_dump keeps the policies users add and leaves
-- out the shipped policy "default", which is read-only.

CREATE TABLE crisk.limit_policy (
    policy           pg_catalog.text    NOT NULL,
    risk_class       pg_catalog.text    NOT NULL,
    months_of_sales  pg_catalog.numeric NOT NULL,
    max_increase     pg_catalog.numeric NOT NULL,
    initial_limit    pg_catalog.numeric NOT NULL,
    rounding         pg_catalog.numeric NOT NULL,
    PRIMARY KEY (policy, risk_class),
    CONSTRAINT limit_policy_named
        CHECK (policy OPERATOR(pg_catalog.<>) ''),
    CONSTRAINT limit_policy_risk_class_known
        CHECK (risk_class OPERATOR(pg_catalog.=) ANY (ARRAY['A', 'B', 'C', 'D', 'E']::pg_catalog.text[])),
    -- numeric NaN and Infinity compare above every number: "< Infinity"
    -- refuses both.
    CONSTRAINT limit_policy_months_of_sales_range
        CHECK (months_of_sales OPERATOR(pg_catalog.>=) 0
               AND months_of_sales OPERATOR(pg_catalog.<) 'Infinity'::pg_catalog.numeric),
    CONSTRAINT limit_policy_max_increase_range
        CHECK (max_increase OPERATOR(pg_catalog.>=) 0
               AND max_increase OPERATOR(pg_catalog.<) 'Infinity'::pg_catalog.numeric),
    CONSTRAINT limit_policy_initial_limit_range
        CHECK (initial_limit OPERATOR(pg_catalog.>=) 0
               AND initial_limit OPERATOR(pg_catalog.<) 'Infinity'::pg_catalog.numeric),
    CONSTRAINT limit_policy_rounding_range
        CHECK (rounding OPERATOR(pg_catalog.>) 0
               AND rounding OPERATOR(pg_catalog.<) 'Infinity'::pg_catalog.numeric)
);
COMMENT ON TABLE crisk.limit_policy IS
    'Credit-limit policies, one row per risk class A to E, read by crisk.recalibrated_limit. Policy ''default'' is shipped and read-only.';
COMMENT ON COLUMN crisk.limit_policy.policy IS
    'Policy name, passed as the policy argument of crisk.recalibrated_limit.';
COMMENT ON COLUMN crisk.limit_policy.risk_class IS
    'Risk class the row applies to: A, B, C, D or E (see crisk.risk_class).';
COMMENT ON COLUMN crisk.limit_policy.months_of_sales IS
    'Target limit in months of sales: target = monthly_sales x months_of_sales.';
COMMENT ON COLUMN crisk.limit_policy.max_increase IS
    'Largest rise at one recalibration, as a fraction of the current limit (0.25: +25 %); decreases are never capped.';
COMMENT ON COLUMN crisk.limit_policy.initial_limit IS
    'Most a new customer (no or zero current limit) starts with.';
COMMENT ON COLUMN crisk.limit_policy.rounding IS
    'The new limit is rounded down to a multiple of this amount.';

-- The shipped policy.  Why these figures: README, "The default model and
-- policy".  Class E gets no new credit: its target is 0, so its limit falls
-- to 0 at once and a new customer starts at 0.
INSERT INTO crisk.limit_policy (policy, risk_class, months_of_sales, max_increase, initial_limit, rounding) VALUES
    ('default', 'A', 2.0, 0.50, 50000, 1000),
    ('default', 'B', 1.5, 0.25, 20000, 1000),
    ('default', 'C', 1.0, 0.10, 10000,  500),
    ('default', 'D', 0.5, 0.00,  2000,  100),
    ('default', 'E', 0.0, 0.00,     0,  100);

CREATE TRIGGER limit_policy_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON crisk.limit_policy
    FOR EACH STATEMENT EXECUTE FUNCTION crisk.table_changed();
-- ALWAYS: caches must follow changes a logical-replication subscriber
-- applies too (session_replication_role = replica skips ordinary triggers).
ALTER TABLE crisk.limit_policy ENABLE ALWAYS TRIGGER limit_policy_changed;
CREATE TRIGGER limit_policy_shipped_rows
    BEFORE INSERT OR UPDATE OR DELETE ON crisk.limit_policy
    FOR EACH ROW EXECUTE FUNCTION crisk.shipped_rows_guard('policy', 'default');
CREATE TRIGGER limit_policy_no_truncate
    BEFORE TRUNCATE ON crisk.limit_policy
    FOR EACH STATEMENT EXECUTE FUNCTION crisk.shipped_rows_guard('policy', 'default');

SELECT pg_catalog.pg_extension_config_dump('crisk.limit_policy',
    'WHERE policy OPERATOR(pg_catalog.<>) ''default''');

-- Like every crisk table, not readable by PUBLIC (see crisk.scorecard).
REVOKE ALL ON TABLE crisk.limit_policy FROM PUBLIC;

CREATE FUNCTION crisk.recalibrated_limit(current_limit pg_catalog.numeric,
                                         score pg_catalog.int4,
                                         monthly_sales pg_catalog.numeric,
                                         insured_cover pg_catalog.numeric DEFAULT NULL,
                                         policy pg_catalog.text DEFAULT 'default')
    RETURNS pg_catalog.numeric
    AS 'MODULE_PATHNAME', 'crisk_recalibrated_limit'
    LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION crisk.recalibrated_limit(pg_catalog.numeric, pg_catalog.int4, pg_catalog.numeric,
                                             pg_catalog.numeric, pg_catalog.text) IS
    'New credit limit from a score and monthly sales under a limit policy: months of sales of the class, capped by insurer cover; new customers start at the initial limit, decreases apply at once, increases are capped; rounded down.';
