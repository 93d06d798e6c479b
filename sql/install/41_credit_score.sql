-- Credit scores, their explanation and risk classes (src/credit_score.c).
--
-- The scoring functions read crisk.scorecard (through a per-session cache),
-- hence STABLE; they are not STRICT because a NULL input is an unknown
-- value, scored by the model's missing-value bin.

CREATE FUNCTION crisk.credit_score(profile crisk.payment_profile,
                                   altman_z pg_catalog.float8 DEFAULT NULL,
                                   adverse_events pg_catalog.int4 DEFAULT 0,
                                   utilization pg_catalog.float8 DEFAULT NULL,
                                   relationship_months pg_catalog.int4 DEFAULT NULL,
                                   model pg_catalog.text DEFAULT 'default',
                                   event_severity pg_catalog.int4 DEFAULT 0,
                                   broken_promises_12m pg_catalog.int4 DEFAULT 0)
    RETURNS pg_catalog.int4
    AS 'MODULE_PATHNAME', 'crisk_credit_score'
    LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION crisk.credit_score(crisk.payment_profile, pg_catalog.float8, pg_catalog.int4,
                                       pg_catalog.float8, pg_catalog.int4, pg_catalog.text,
                                       pg_catalog.int4, pg_catalog.int4) IS
    'Credit score from 0 (worst) to 100 (best): the points a scorecard model gives the payment profile, Altman Z, adverse events, utilization, relationship length, the highest severity (0-3) of legal events in force and the promises to pay broken in the last 12 months; unknown values earn the missing-value points.';

CREATE FUNCTION crisk.explain_score(profile crisk.payment_profile,
                                    altman_z pg_catalog.float8 DEFAULT NULL,
                                    adverse_events pg_catalog.int4 DEFAULT 0,
                                    utilization pg_catalog.float8 DEFAULT NULL,
                                    relationship_months pg_catalog.int4 DEFAULT NULL,
                                    model pg_catalog.text DEFAULT 'default',
                                    event_severity pg_catalog.int4 DEFAULT 0,
                                    broken_promises_12m pg_catalog.int4 DEFAULT 0)
    RETURNS TABLE (characteristic pg_catalog.text, value pg_catalog.float8,
                   points pg_catalog.int4, max_points pg_catalog.int4)
    AS 'MODULE_PATHNAME', 'crisk_explain_score'
    LANGUAGE C STABLE PARALLEL SAFE ROWS 8;
COMMENT ON FUNCTION crisk.explain_score(crisk.payment_profile, pg_catalog.float8, pg_catalog.int4,
                                        pg_catalog.float8, pg_catalog.int4, pg_catalog.text,
                                        pg_catalog.int4, pg_catalog.int4) IS
    'The reasons for crisk.credit_score: per characteristic of the model, the value used (NULL when unknown), the points earned and the most it could earn; the points add up to the score.';

CREATE FUNCTION crisk.risk_class(score pg_catalog.int4)
    RETURNS pg_catalog.text
    AS 'MODULE_PATHNAME', 'crisk_risk_class'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION crisk.risk_class(pg_catalog.int4) IS
    'Risk class of a score: A (80-100), B (60-79), C (40-59), D (20-39), E (0-19).';
