-- Limit policies and credit-limit recalibration (src/recalibrated_limit.c).
--
-- As for crisk.scorecard, pg_dump keeps the policies users add and leaves
-- out the shipped policy "default", which is read-only.

CREATE TABLE crisk.limit_policy (
    policy              pg_catalog.text    NOT NULL,
    risk_class          pg_catalog.text    NOT NULL,
    max_increase        pg_catalog.numeric NOT NULL,
    initial_limit       pg_catalog.numeric NOT NULL,
    rounding            pg_catalog.numeric NOT NULL,
    class_factor        pg_catalog.numeric NOT NULL,
    tolerance_days      pg_catalog.int4    NOT NULL DEFAULT 0,
    default_terms_days  pg_catalog.int4    NOT NULL DEFAULT 30,
    review_days         pg_catalog.int4    NOT NULL DEFAULT 30,
    breach_tolerance    pg_catalog.numeric NOT NULL DEFAULT 0,
    PRIMARY KEY (policy, risk_class),
    CONSTRAINT limit_policy_named
        CHECK (policy OPERATOR(pg_catalog.<>) ''),
    CONSTRAINT limit_policy_risk_class_known
        CHECK (risk_class OPERATOR(pg_catalog.=) ANY (ARRAY['A', 'B', 'C', 'D', 'E']::pg_catalog.text[])),
    -- numeric NaN and Infinity compare above every number: "< Infinity"
    -- refuses both.
    CONSTRAINT limit_policy_max_increase_range
        CHECK (max_increase OPERATOR(pg_catalog.>=) 0
               AND max_increase OPERATOR(pg_catalog.<) 'Infinity'::pg_catalog.numeric),
    CONSTRAINT limit_policy_initial_limit_range
        CHECK (initial_limit OPERATOR(pg_catalog.>=) 0
               AND initial_limit OPERATOR(pg_catalog.<) 'Infinity'::pg_catalog.numeric),
    CONSTRAINT limit_policy_rounding_range
        CHECK (rounding OPERATOR(pg_catalog.>) 0
               AND rounding OPERATOR(pg_catalog.<) 'Infinity'::pg_catalog.numeric),
    CONSTRAINT limit_policy_class_factor_range
        CHECK (class_factor OPERATOR(pg_catalog.>=) 0
               AND class_factor OPERATOR(pg_catalog.<) 'Infinity'::pg_catalog.numeric),
    CONSTRAINT limit_policy_tolerance_days_range
        CHECK (tolerance_days OPERATOR(pg_catalog.>=) 0),
    CONSTRAINT limit_policy_default_terms_days_range
        CHECK (default_terms_days OPERATOR(pg_catalog.>=) 0),
    CONSTRAINT limit_policy_review_days_range
        CHECK (review_days OPERATOR(pg_catalog.>) 0),
    CONSTRAINT limit_policy_breach_tolerance_range
        CHECK (breach_tolerance OPERATOR(pg_catalog.>=) 0
               AND breach_tolerance OPERATOR(pg_catalog.<) 'Infinity'::pg_catalog.numeric)
);
COMMENT ON TABLE crisk.limit_policy IS
    'Credit-limit policies, one row per risk class A to E, read by crisk.recalibrated_limit and rescoring. Policy ''default'' is shipped and read-only.';
COMMENT ON COLUMN crisk.limit_policy.policy IS
    'Policy name, passed as the policy argument of crisk.recalibrated_limit.';
COMMENT ON COLUMN crisk.limit_policy.risk_class IS
    'Risk class the row applies to: A, B, C, D or E (see crisk.risk_class).';
COMMENT ON COLUMN crisk.limit_policy.max_increase IS
    'Largest rise within review_days, as a fraction of the lowest limit in force during those days (0.25: +25 %); decreases are never capped.';
COMMENT ON COLUMN crisk.limit_policy.initial_limit IS
    'What a new customer (no limit yet, or a limit of 0) starts with, capped by the target.';
COMMENT ON COLUMN crisk.limit_policy.rounding IS
    'The new limit is rounded down to a multiple of this amount (to a finer power of ten when that would give 0).';
COMMENT ON COLUMN crisk.limit_policy.class_factor IS
    'Target = average daily credit sales x (payment_terms_days + tolerance_days) x class_factor: 1 covers what a customer paying on terms owes at most; 0 grants no credit.';
COMMENT ON COLUMN crisk.limit_policy.tolerance_days IS
    'Days added to the payment terms in the target: the lateness the policy tolerates for this class.';
COMMENT ON COLUMN crisk.limit_policy.default_terms_days IS
    'Payment terms in days for an account whose payment_terms_days is NULL.';
COMMENT ON COLUMN crisk.limit_policy.review_days IS
    'Length of the review window in days: within any such window a limit rises at most by max_increase (read from crisk.limit_change).';
COMMENT ON COLUMN crisk.limit_policy.breach_tolerance IS
    'Fraction of the limit by which open receivables may exceed it before rescoring raises a limit_breach alert (0.10: 10 %).';

-- The shipped policy, for French B2B portfolios (terms of at most 60
-- days, 45 days end of month, usually 30 to 45).  Why these figures:
-- README, "The default model and policy".  Class E gets no credit: its
-- factor is 0, so its limit falls to 0 at once and a new customer starts
-- at 0.
INSERT INTO crisk.limit_policy (policy, risk_class, max_increase, initial_limit, rounding,
                                class_factor, tolerance_days, default_terms_days, review_days,
                                breach_tolerance) VALUES
    ('default', 'A', 0.50, 50000, 1000, 1.50, 45, 45, 30, 0.10),
    ('default', 'B', 0.25, 20000, 1000, 1.25, 45, 45, 30, 0.10),
    ('default', 'C', 0.10, 10000,  500, 1.00, 45, 45, 30, 0.10),
    ('default', 'D', 0.00,  2000,  100, 1.00,  0, 45, 30, 0.10),
    ('default', 'E', 0.00,     0,  100, 0.00,  0, 45, 30, 0.10);

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
                                         policy pg_catalog.text DEFAULT 'default',
                                         payment_terms_days pg_catalog.int4 DEFAULT NULL,
                                         review_base_limit pg_catalog.numeric DEFAULT NULL,
                                         class_cap pg_catalog.text DEFAULT NULL)
    RETURNS pg_catalog.numeric
    AS 'MODULE_PATHNAME', 'crisk_recalibrated_limit'
    LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION crisk.recalibrated_limit(pg_catalog.numeric, pg_catalog.int4, pg_catalog.numeric,
                                             pg_catalog.numeric, pg_catalog.text, pg_catalog.int4,
                                             pg_catalog.numeric, pg_catalog.text) IS
    'New credit limit under a limit policy: target = daily sales (monthly_sales x 12 / 365) x (payment terms + tolerance days) x class factor, capped by insurer cover; new customers start at the initial limit; decreases apply at once; an increase is capped at review_base_limit (the lowest limit in force in the review window; default current_limit) x (1 + max_increase); rounded down, never to 0 from a positive target, and never below what a worse class would get.';
